namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>
/// A damaged <c>manifest.json</c> (the files in DamagedManifests/, each beside the two checkpoints it lists) never
/// locks a run out: the manager opens with a warning, recovers the checkpoints from the files, and the next save
/// writes a manifest that reads back cleanly.
/// </summary>
public sealed class DamagedManifestTests
{
    // The two checkpoints every damaged manifest lists: 33 bytes, xxh3-64:ce8feed0b7fd8394.
    private static readonly byte[] Checkpoint = Msgpack.Serialize(new Dictionary<string, object> { ["w"] = new float[] { 1, 2 }, ["step"] = 1L });

    public static TheoryData<string> DamagedManifests => new(
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Storage", "DamagedManifests")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(DamagedManifests))]
    public void Constructor_DamagedManifest_OpensWarnsAndSavesMoveLatest(string manifest)
    {
        using TempDirectory dir = DirectoryWith(manifest);
        var warnings = new List<CheckpointWarning>();
        CheckpointManagerOptions options = Options(warnings);

        using (var manager = new CheckpointManager(dir.Path, options))
        {
            Assert.Equal([1L, 2L], manager.Checkpoints.Select(c => c.Step));
            Assert.NotEmpty(warnings);
            Assert.All(warnings, w => Assert.Equal(dir.File("manifest.json"), w.FilePath));

            manager.Save(3, new Dictionary<string, object> { ["step"] = 3L }, metric: 0.5);

            Assert.Equal(3, manager.Latest?.Step);
        }

        warnings.Clear();
        using var reopened = new CheckpointManager(dir.Path, options);
        Assert.Empty(warnings);
        Assert.Equal([1L, 2L, 3L], reopened.Checkpoints.Select(c => c.Step));
        Assert.Equal(3, reopened.Latest?.Step);
    }

    [Theory]
    [InlineData("time_null.json")]
    [InlineData("wrong_types.json")]
    [InlineData("step_of_another_file.json")]
    [InlineData("field_name_surrogate.json")]
    public void Constructor_OneDamagedEntry_KeepsTheOtherEntriesAndRecoversItsFile(string manifest)
    {
        using TempDirectory dir = DirectoryWith(manifest);
        var warnings = new List<CheckpointWarning>();

        using var manager = new CheckpointManager(dir.Path, Options(warnings));

        CheckpointInfo first = manager.Checkpoints[0], second = manager.Checkpoints[1];
        Assert.Null(first.Metric); // Recovered from its file: what the damaged entry said is not trusted.
        Assert.Equal("xxh3-64:ce8feed0b7fd8394", first.Checksum);
        Assert.Equal(0.75, second.Metric);
        Assert.Equal(2L, second.User["epoch"]);
        Assert.Contains(warnings, w => w.Message.Contains("Entry 0 of the checkpoint manifest", StringComparison.Ordinal) || w.Message.Contains("Entry checkpoint_1.msgpack", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_MetricPastDoubleRange_CountsAsNoneAndKeepsTheEntry()
    {
        using TempDirectory dir = DirectoryWith("metric_1e400.json");
        var warnings = new List<CheckpointWarning>();

        using var manager = new CheckpointManager(dir.Path, Options(warnings));

        Assert.Null(manager.Checkpoints[0].Metric);
        Assert.Equal(1L, manager.Checkpoints[0].User["epoch"]);
        Assert.Equal(2, manager.Best?.Step);
        CheckpointWarning warning = Assert.Single(warnings);
        Assert.Contains("metric 1e400 is not a finite number; it counts as none", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user_1e400.json", "lr")]
    [InlineData("unpaired_surrogate.json", "note")]
    public void Constructor_UserFieldJsonCannotCarry_DropsOnlyThatField(string manifest, string field)
    {
        using TempDirectory dir = DirectoryWith(manifest);
        var warnings = new List<CheckpointWarning>();

        using var manager = new CheckpointManager(dir.Path, Options(warnings));

        CheckpointInfo first = manager.Checkpoints[0];
        Assert.Equal(0.25, first.Metric);
        Assert.Equal(1L, first.User["epoch"]);
        Assert.False(first.User.ContainsKey(field));
        Assert.Contains($"user field '{field}'", Assert.Single(warnings).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unpaired surrogate", "'note' has an unpaired surrogate")]
    [InlineData("infinity", "'note' must be a string, a bool or a finite number")]
    [InlineData("NaN", "'note' must be a string, a bool or a finite number")]
    public void Save_UserValueJsonCannotCarry_ThrowsBeforeWritingAnything(string kind, string message)
    {
        // Made here: xunit's serialization of theory data would replace a lone surrogate.
        object value = kind switch { "unpaired surrogate" => "\ud800", "infinity" => double.PositiveInfinity, _ => double.NaN };
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path, Options([]));

        var error = Assert.Throws<ArgumentException>(() => manager.Save(1, new[] { 1.0 }, user: new Dictionary<string, object> { ["note"] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Null(manager.Latest);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void Save_NonFiniteMetric_RecordedAsNoneInAManifestThatReadsBack(double metric)
    {
        using var dir = new TempDirectory();
        var warnings = new List<CheckpointWarning>();
        using (var manager = new CheckpointManager(dir.Path, Options(warnings)))
        {
            manager.Save(1, new[] { 1.0 }, metric: metric);
        }

        using var reopened = new CheckpointManager(dir.Path, Options(warnings));
        Assert.Empty(warnings);
        Assert.Null(Assert.Single(reopened.Checkpoints).Metric);
    }

    private static TempDirectory DirectoryWith(string manifest)
    {
        var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("checkpoint_1.msgpack"), Checkpoint);
        File.WriteAllBytes(dir.File("checkpoint_2.msgpack"), Checkpoint);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Storage", "DamagedManifests", manifest), dir.File("manifest.json"));
        return dir;
    }

    private static CheckpointManagerOptions Options(List<CheckpointWarning> warnings) =>
        new() { Msgpack = new MsgpackOptions { Durable = false, OnWarning = warnings.Add } };
}
