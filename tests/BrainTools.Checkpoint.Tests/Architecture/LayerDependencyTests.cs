using System.Text.RegularExpressions;

namespace BrainTools.Checkpoint.Tests.Architecture;

/// <summary>
/// The library's layers go one way (docs/ARCHITECTURE.md, "Layers"): a source scan finds every type a file names and
/// fails when a folder names a type of a folder it must not use. Comments and strings are left out, so docs may
/// mention higher layers.
/// </summary>
public sealed partial class LayerDependencyTests
{
    private const string Base = "(base)";
    private const string Facade = "(facade)";

    // What each folder may use besides itself and the base (the exceptions, options and warning types at the root).
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        [Base] = [],
        ["Arrays"] = [],
        ["Storage"] = [],
        ["Tree"] = ["Arrays"],
        ["Format"] = ["Storage", "Tree", "Arrays"],
        ["Serialization"] = ["Tree", "Arrays"],
        ["Units"] = ["Serialization", "Tree", "Arrays"],
        ["Modules"] = ["Serialization", "Tree", "Arrays"],
        ["IO"] = ["Format", "Tree", "Arrays", "Storage"],
        ["Safetensors"] = ["IO", "Format", "Tree", "Arrays", "Storage"],
        ["Npz"] = ["IO", "Format", "Tree", "Arrays", "Storage"],
        ["Lazy"] = ["IO", "Serialization", "Format", "Tree", "Arrays", "Storage"],
        ["Training"] = ["Lazy", "IO", "Serialization", "Format", "Tree", "Arrays", "Storage"],
        [Facade] = ["*"],
    };

    [Fact]
    public void Library_EveryFolder_UsesOnlyTheLayersBelowIt()
    {
        string root = Path.Combine(RepositoryRoot(), "src", "BrainTools.Checkpoint");
        string[] files = [.. Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(root, f))];
        var layerOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>();
        foreach (string file in files)
        {
            string layer = LayerOf(root, file);
            Assert.True(Allowed.ContainsKey(layer), $"{Path.GetRelativePath(root, file)} is in a folder the layer rules do not know ({layer}): add it to docs/ARCHITECTURE.md and to this test.");
            string code = StripCommentsAndStrings(File.ReadAllText(file));
            sources[file] = code;
            foreach (Match declaration in Declaration().Matches(code))
            {
                layerOf.TryAdd(declaration.Groups["name"].Value, layer);
            }
        }

        layerOf["Msgpack"] = Facade;
        var violations = new List<string>();
        foreach ((string file, string code) in sources)
        {
            string layer = LayerOf(root, file);
            string[] allowed = Allowed[layer];
            if (allowed is ["*"])
            {
                continue;
            }

            IEnumerable<string> used = TypeReferences(code).Distinct(StringComparer.Ordinal);
            foreach (string name in used)
            {
                if (layerOf.TryGetValue(name, out string? other) && other != layer && other != Base && !allowed.Contains(other))
                {
                    violations.Add($"{Path.GetRelativePath(root, file)} ({layer}) uses {name} ({other})");
                }
            }
        }

        Assert.True(violations.Count == 0, "Layer rules broken:\n" + string.Join('\n', violations.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Library_NoThreadBoundState()
    {
        string root = Path.Combine(RepositoryRoot(), "src");
        string[] offenders = [.. Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(root, f))
            .Where(f => ThreadBound().IsMatch(StripCommentsAndStrings(File.ReadAllText(f))))
            .Select(f => Path.GetRelativePath(root, f))];
        Assert.True(offenders.Length == 0, "State bound to a thread (pass a context instead): " + string.Join(", ", offenders));
    }

    [Fact]
    public void StripCommentsAndStrings_LeavesOnlyCode()
    {
        string code = StripCommentsAndStrings("var a = \"Msgpack\"; // Msgpack\n/* Msgpack */ var b = $\"{x} Msgpack\"; var c = @\"Msgp\"\"ack\"; char d = '\"'; Real();");
        Assert.DoesNotContain("Msgpack", code, StringComparison.Ordinal);
        Assert.Contains("Real", code, StringComparison.Ordinal);
    }

    private static string LayerOf(string root, string file)
    {
        string relative = Path.GetRelativePath(root, file);
        int slash = relative.IndexOfAny(['/', '\\']);
        if (slash >= 0)
        {
            return relative[..slash];
        }

        string name = Path.GetFileName(file);
        return name == "Msgpack.cs" || name.StartsWith("Msgpack.", StringComparison.Ordinal) ? Facade : Base;
    }

    // Capitalized words that can name a type: not a member access (a.Unit), not a member's own declaration
    // (string TreePath { get; }, Shape Unit(...)), not an enum member.
    private static IEnumerable<string> TypeReferences(string code)
    {
        code = EnumBody().Replace(code, "enum $1 { }");
        foreach (Match m in Identifier().Matches(code))
        {
            int before = m.Index - 1;
            while (before >= 0 && code[before] == ' ')
            {
                before--;
            }

            if (before >= 0 && code[before] == '.')
            {
                continue;
            }

            string after = code[(m.Index + m.Length)..Math.Min(code.Length, m.Index + m.Length + 12)].TrimStart();

            // A type is never followed by an assignment, a statement's end or an expression body: this names a member.
            if ((after.StartsWith('=') && !after.StartsWith("==", StringComparison.Ordinal)) || after.StartsWith(';'))
            {
                continue;
            }

            bool declaresMember = after.StartsWith('{') || after.StartsWith('(');
            if (declaresMember && PrecededByType(code, m.Index))
            {
                continue;
            }

            if ((after.StartsWith(',') || after.StartsWith(')')) && IsCallArgument(code, m.Index))
            {
                continue;
            }

            yield return m.Value;
        }
    }

    // Whether the word at i stands alone as an argument of a call (a value), not inside <...> or typeof(...).
    private static bool IsCallArgument(string code, int i)
    {
        int j = i - 1;
        while (j >= 0 && char.IsWhiteSpace(code[j]))
        {
            j--;
        }

        if (j < 0 || code[j] is not ('(' or ','))
        {
            return false;
        }

        int depth = 0;
        for (; j >= 0; j--)
        {
            char c = code[j];
            if (c is ')' or '>' or ']')
            {
                depth++;
            }
            else if (c is '(' or '<' or '[')
            {
                if (depth-- == 0)
                {
                    break;
                }
            }
        }

        if (j < 0 || code[j] != '(')
        {
            return false;
        }

        int end = j - 1;
        int start = end;
        while (start >= 0 && (char.IsLetterOrDigit(code[start]) || code[start] == '_'))
        {
            start--;
        }

        string callee = code[(start + 1)..(end + 1)];
        return callee.Length > 0 && callee is not ("typeof" or "nameof" or "default" or "sizeof");
    }

    // Whether the word before position i is a type (so the word at i is being declared), not a keyword like new or return.
    private static bool PrecededByType(string code, int i)
    {
        int end = i - 1;
        while (end >= 0 && char.IsWhiteSpace(code[end]))
        {
            end--;
        }

        if (end < 0 || end == i - 1)
        {
            return false;
        }

        if (code[end] is '>' or ']' or '?')
        {
            return true;
        }

        int start = end;
        while (start >= 0 && (char.IsLetterOrDigit(code[start]) || code[start] == '_'))
        {
            start--;
        }

        string word = code[(start + 1)..(end + 1)];
        return word.Length > 0 && !Keywords.Contains(word);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "new", "return", "throw", "await", "in", "is", "as", "case", "yield", "out", "ref", "typeof", "nameof", "else", "when", "not", "and", "or", "using",
    };

    private static bool IsBuildOutput(string root, string file)
    {
        string relative = Path.GetRelativePath(root, file);
        return relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No repository root above {AppContext.BaseDirectory}.");
    }

    // Drops comments, string and char literals (so words in them are not references); keeps everything else.
    private static string StripCommentsAndStrings(string source)
    {
        var code = new System.Text.StringBuilder(source.Length);
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            char next = i + 1 < source.Length ? source[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && next == '*')
            {
                int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 2;
            }
            else if (c == '@' && next == '"')
            {
                i += 2;
                while (i < source.Length && !(source[i] == '"' && (i + 1 >= source.Length || source[i + 1] != '"')))
                {
                    i += source[i] == '"' ? 2 : 1;
                }

                i++;
                code.Append("\"\"");
            }
            else if (c == '"' || c == '\'')
            {
                // Interpolation holes may name types ({Msgpack.X}), but a message's words must not count: drop the whole literal.
                i++;
                while (i < source.Length && source[i] != c && source[i] != '\n')
                {
                    i += source[i] == '\\' ? 2 : 1;
                }

                i++;
                code.Append("\"\"");
            }
            else
            {
                code.Append(c);
                i++;
            }
        }

        return code.ToString();
    }

    // Top-level types only (file-scoped namespaces: they start their line); nested types are private names.
    [GeneratedRegex(@"^(?:(?:public|internal|sealed|static|abstract|partial|readonly|ref|unsafe|file)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>\[\]?,]+)\s+(?<name>[A-Z]\w*)", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\benum\s+(\w+)[^{]*\{[^}]*\}")]
    private static partial Regex EnumBody();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\bThreadStatic\b|\bThreadLocal\s*<")]
    private static partial Regex ThreadBound();
}
