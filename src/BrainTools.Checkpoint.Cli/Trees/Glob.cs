using System.Text;
using System.Text.RegularExpressions;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// A glob over leaf paths: <c>*</c> matches within one key, <c>**</c> across keys, <c>?</c> one character,
/// <c>[abc]</c> a set. A pattern without <c>/</c> matches any key on the path (<c>weights</c>, <c>*bias*</c>), one
/// with <c>/</c> the whole path (<c>encoder/**</c>, <c>layers/*/weights</c>).
/// </summary>
internal sealed class Glob
{
    private readonly Regex _regex;
    private readonly bool _anyKey;

    public Glob(string pattern)
    {
        Pattern = pattern;
        _anyKey = !pattern.Contains('/', StringComparison.Ordinal);
        _regex = new Regex("^" + Translate(pattern) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public string Pattern { get; }

    /// <summary>Whether the leaf path (or, for a pattern without <c>/</c>, any of its keys) matches.</summary>
    public bool IsMatch(string path) => _regex.IsMatch(path) || (_anyKey && path.Split('/').Any(_regex.IsMatch));

    private static string Translate(string pattern)
    {
        var regex = new StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        // "**/" also matches no key at all: "**/w" matches "w".
                        regex.Append("(?:.*/)?");
                        i++;
                    }
                    else
                    {
                        regex.Append(".*");
                    }

                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                    }
                    else
                    {
                        string set = pattern[(i + 1)..close];
                        regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                        i = close;
                    }

                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.ToString();
    }
}
