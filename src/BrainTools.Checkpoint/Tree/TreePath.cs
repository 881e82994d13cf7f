using System.Text;

namespace BrainTools.Checkpoint;

/// <summary>
/// A place in a state-dict tree: the keys that lead to it from the root. Immutable; a child shares its parent,
/// so walking a tree costs one small object per level and no string until a message needs one.
/// </summary>
/// <remarks>
/// <para>Formatted as braintools writes paths (<see cref="ToString"/>): <c>.</c> for the root, <c>./a/b</c> below it.
/// This is the one rule for paths in messages and exceptions: a path of more than <see cref="MaxShownKeys"/> keys
/// (a nesting bomb) shows its first and last <see cref="MaxShownKeys"/>/3 keys around <c>...(N more)</c>, so a message
/// stays readable. <see cref="Keys"/> always has every key.</para>
/// <para>Thread-safe: instances never change.</para>
/// </remarks>
public sealed class TreePath : IEquatable<TreePath>
{
    /// <summary>Paths longer than this many keys are shortened in <see cref="ToString"/>.</summary>
    public const int MaxShownKeys = 24;

    private const int ShownAtEachEnd = 8;

    private string? _text;

    private TreePath(TreePath? parent, string? key)
    {
        Parent = parent;
        Key = key;
        Depth = parent is null ? 0 : parent.Depth + 1;
    }

    /// <summary>The root, <c>.</c>.</summary>
    public static TreePath Root { get; } = new(null, null);

    /// <summary>The path one level up; null for the root.</summary>
    public TreePath? Parent { get; }

    /// <summary>The last key; null for the root.</summary>
    public string? Key { get; }

    /// <summary>How many keys lead here (0 for the root).</summary>
    public int Depth { get; }

    /// <summary>Whether this is the root.</summary>
    public bool IsRoot => Parent is null;

    /// <summary>Every key from the root down, in order.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            var keys = new string[Depth];
            for (TreePath p = this; p.Parent is not null; p = p.Parent)
            {
                keys[p.Depth - 1] = p.Key!;
            }

            return keys;
        }
    }

    /// <summary>The path of the child <paramref name="key"/>.</summary>
    public TreePath Child(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new TreePath(this, key);
    }

    /// <summary>
    /// Reads a path as braintools writes it (<c>.</c>, <c>./a/b</c>) or without the leading <c>./</c> (<c>a/b</c>,
    /// and the empty string for the root). Keys holding <c>/</c> cannot be told apart from levels in this form.
    /// </summary>
    public static TreePath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string trimmed = path is "." or "" ? string.Empty : path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
        TreePath result = Root;
        if (trimmed.Length > 0)
        {
            foreach (string key in trimmed.Split('/'))
            {
                result = result.Child(key);
            }
        }

        return result;
    }

    /// <summary>The path as braintools writes it: <c>.</c>, <c>./a/b</c>; shortened past <see cref="MaxShownKeys"/> keys.</summary>
    public override string ToString() => _text ??= Format();

    /// <summary>The keys joined by <c>/</c>, without the leading <c>./</c> (empty for the root), never shortened.</summary>
    public string ToRelativeString() => string.Join('/', Keys);

    /// <inheritdoc/>
    public bool Equals(TreePath? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.Depth != Depth)
        {
            return false;
        }

        for (TreePath? a = this, b = other; a is not null && b is not null; a = a.Parent, b = b.Parent)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (!string.Equals(a.Key, b.Key, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TreePath);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        for (TreePath p = this; p.Parent is not null; p = p.Parent)
        {
            hash.Add(p.Key, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    private string Format()
    {
        if (IsRoot)
        {
            return ".";
        }

        IReadOnlyList<string> keys = Keys;
        var text = new StringBuilder(".");
        if (keys.Count <= MaxShownKeys)
        {
            foreach (string key in keys)
            {
                text.Append('/').Append(key);
            }

            return text.ToString();
        }

        for (int i = 0; i < ShownAtEachEnd; i++)
        {
            text.Append('/').Append(keys[i]);
        }

        text.Append("/...(").Append(keys.Count - (2 * ShownAtEachEnd)).Append(" more)");
        for (int i = keys.Count - ShownAtEachEnd; i < keys.Count; i++)
        {
            text.Append('/').Append(keys[i]);
        }

        return text.ToString();
    }
}
