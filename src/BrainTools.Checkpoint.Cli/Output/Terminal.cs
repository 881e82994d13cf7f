using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace BrainTools.Checkpoint.Cli.Output;

/// <summary>
/// Where the tool writes: tables drawn by Spectre.Console to fit the terminal when stdout is one, plain
/// space-aligned text when it is redirected (so the output greps, diffs and parses), errors on stderr, and a
/// progress bar on stderr for work on more than <see cref="ProgressThreshold"/> bytes when stderr is a terminal.
/// </summary>
internal sealed class Terminal
{
    /// <summary>Files and arrays above 64 MiB get a progress bar.</summary>
    public const long ProgressThreshold = 64L << 20;

    private readonly IAnsiConsole? _rich;
    private readonly bool _progress;

    private Terminal(TextWriter output, TextWriter error, bool rich, bool progress)
    {
        Out = output;
        Error = error;
        _progress = progress;
        _rich = rich ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) }) : null;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public bool IsRich => _rich is not null;

    public static Terminal ForConsole() => new(Console.Out, Console.Error, !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    public void Line(string text = "") => Out.WriteLine(text);

    /// <summary>A line with an emphasised status word (<c>OK</c>, <c>FAIL</c>) when drawing, plain otherwise.</summary>
    public void Status(string word, bool good, string rest)
    {
        if (_rich is null)
        {
            Out.WriteLine($"{word}  {rest}");
            return;
        }

        _rich.MarkupLine($"[{(good ? "green" : "red")}]{Markup.Escape(word)}[/]  {Markup.Escape(rest)}");
    }

    public void Fail(string message) => Error.WriteLine("ckpt: " + OneLine(message));

    /// <summary>
    /// A table; <paramref name="numeric"/> columns are right-aligned. On a terminal too narrow for every column,
    /// columns with no text and then the <paramref name="optional"/> columns are left out, in that order, until the
    /// rest fits without wrapping.
    /// </summary>
    public void Table(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, ISet<int>? numeric = null, IReadOnlyList<int>? optional = null)
    {
        numeric ??= new HashSet<int>();
        if (_rich is not null)
        {
            var keep = Enumerable.Range(0, headers.Count).ToList();
            var blank = keep.Where(c => rows.All(r => r[c].Length == 0));
            foreach (int column in blank.Concat(optional ?? []).Distinct().ToList())
            {
                // Each column takes its widest cell plus a space either side and a border.
                int width = 1 + keep.Sum(c => Math.Max(headers[c].Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length)) + 3);
                if (width <= _rich.Profile.Width)
                {
                    break;
                }

                keep.Remove(column);
            }

            if (keep.Count < headers.Count)
            {
                headers = keep.Select(c => headers[c]).ToArray();
                rows = rows.Select(r => keep.Select(c => r[c]).ToArray()).ToList();
                numeric = keep.Select((c, i) => (c, i)).Where(p => numeric.Contains(p.c)).Select(p => p.i).ToHashSet();
            }

            var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
            for (int c = 0; c < headers.Count; c++)
            {
                var column = new TableColumn(new Markup($"[bold]{Markup.Escape(headers[c])}[/]"));
                table.AddColumn(numeric.Contains(c) ? column.RightAligned() : column);
            }

            foreach (string[] row in rows)
            {
                table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
            }

            _rich.Write(table);
            return;
        }

        // Plain: columns two spaces apart, the last one not padded, so lines carry no trailing blanks.
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (string[] row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        WritePlainRow(headers, widths, numeric);
        foreach (string[] row in rows)
        {
            WritePlainRow(row, widths, numeric);
        }
    }

    /// <summary>Runs <paramref name="work"/>, with a progress bar when it covers more than 64 MiB and stderr is a terminal.</summary>
    public T WithProgress<T>(string label, long totalBytes, Func<Action<long>?, T> work)
    {
        if (!_progress || totalBytes <= ProgressThreshold)
        {
            return work(null);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(label), maxValue: totalBytes);
                T result = work(bytes => task.Increment(bytes));
                task.Value = task.MaxValue;
                return result;
            });
    }

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0#" : value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string Number(double value) => double.IsNaN(value) ? "nan"
        : double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value == Math.Floor(value) && Math.Abs(value) < 1e15 ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("G6", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);

    /// <summary><c>1 leaf</c>, <c>3 leaves</c>.</summary>
    public static string Count(long count, string one, string many) => $"{count} {(count == 1 ? one : many)}";

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private void WritePlainRow(IReadOnlyList<string> cells, int[] widths, ISet<int> numeric)
    {
        var line = new System.Text.StringBuilder();
        for (int c = 0; c < cells.Count; c++)
        {
            bool last = c == cells.Count - 1;
            string cell = cells[c];
            if (c > 0)
            {
                line.Append("  ");
            }

            line.Append(numeric.Contains(c) ? cell.PadLeft(widths[c]) : last ? cell : cell.PadRight(widths[c]));
        }

        Out.WriteLine(line.ToString().TrimEnd());
    }
}
