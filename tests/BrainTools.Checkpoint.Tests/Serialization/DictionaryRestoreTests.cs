using System.Collections.ObjectModel;

namespace BrainTools.Checkpoint.Tests.Serialization;

public sealed class DictionaryRestoreTests
{
    [Fact]
    public void FromStateDict_DictionaryTypeCannotBeCreated_ThrowsWithTreePath()
    {
        var target = new Holder(new ReadOnlyDictionary<string, long>(new Dictionary<string, long> { ["x"] = 1 }));
        StateMap state = Msgpack.ToStateDict(target) is StateMap saved ? saved : throw new InvalidOperationException();

        CheckpointException e = Assert.Throws<CheckpointException>(() => Msgpack.FromStateDict(target, state));

        Assert.Equal("./" + Assert.Single(state).Key, e.TreePath);
    }

    private sealed record Holder(ReadOnlyDictionary<string, long> Values);
}
