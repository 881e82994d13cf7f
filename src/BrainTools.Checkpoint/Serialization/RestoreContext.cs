using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Lazy;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// The state of one restore on the current thread (braintools' <c>_error_context</c>): the tree path being
/// restored, for messages, and the options that receive warnings. Nested restores started by custom handlers
/// (<see cref="Msgpack.FromStateDict{T}(T, StateNode, Mismatch, MsgpackOptions?)"/> inside a handler) join it.
/// </summary>
internal sealed class RestoreContext
{
    [ThreadStatic]
    private static RestoreContext? t_current;

    private readonly List<string> _path = [];

    private RestoreContext(MsgpackOptions? options, string? filePath, bool inPlace)
    {
        Options = options;
        FilePath = filePath;
        InPlace = inPlace;
    }

    public static RestoreContext? Current => t_current;

    public MsgpackOptions? Options { get; }

    public string? FilePath { get; }

    /// <summary>A restore in place (<see cref="Msgpack.LoadInto{T}"/>): loaded arrays go into the template's memory, as <see cref="PendingCopies"/>.</summary>
    public bool InPlace { get; }

    /// <summary>The copies into the template's arrays, made together once the walk has passed every check.</summary>
    public List<PendingCopy> PendingCopies { get; } = [];

    /// <summary>Other fills of template memory (tensors), run after <see cref="PendingCopies"/>.</summary>
    public List<Action> PendingFills { get; } = [];

    /// <summary>The path as braintools prints it: <c>.</c>, <c>./a</c>, <c>./a/b</c>.</summary>
    public string Path => _path.Count == 0 ? "." : "./" + string.Join('/', _path);

    /// <summary>Joins the restore running on this thread, or starts one that ends when the result is disposed.</summary>
    public static Scope Enter(MsgpackOptions? options, string? filePath)
    {
        if (t_current is { } running)
        {
            return new Scope(running, owner: false, previous: null);
        }

        t_current = new RestoreContext(options, filePath, inPlace: false);
        return new Scope(t_current, owner: true, previous: null);
    }

    /// <summary>Starts a restore in place, even inside another restore (which resumes when the result is disposed).</summary>
    public static Scope EnterInPlace(MsgpackOptions options, string filePath)
    {
        RestoreContext? previous = t_current;
        t_current = new RestoreContext(options, filePath, inPlace: true);
        return new Scope(t_current, owner: true, previous);
    }

    /// <summary>Applies the policy to a mismatch: throws, warns or does nothing. The message gets <c> at path {path}</c>.</summary>
    /// <exception cref="CheckpointMismatchException"><paramref name="mismatch"/> is <see cref="Mismatch.Error"/>.</exception>
    public static void Report(string message, Mismatch mismatch)
    {
        RestoreContext? context = t_current;
        string path = context?.Path ?? ".";
        string full = $"{message} at path {path}";
        switch (mismatch)
        {
            case Mismatch.Error:
                throw new CheckpointMismatchException(full, path, context?.FilePath);
            case Mismatch.Warn:
                WarningSink.Deliver(new CheckpointWarning(full, path, context?.FilePath), context?.Options);
                break;
            case Mismatch.Ignore:
                break;
            default:
                throw Msgpack.InvalidMismatch(mismatch.ToString());
        }
    }

    public void Push(string name) => _path.Add(name);

    public void Pop() => _path.RemoveAt(_path.Count - 1);

    /// <summary>Ends the restore it started, if it started one.</summary>
    internal readonly struct Scope(RestoreContext context, bool owner, RestoreContext? previous) : IDisposable
    {
        public RestoreContext Context { get; } = context;

        public void Dispose()
        {
            if (owner)
            {
                t_current = previous;
            }
        }
    }
}
