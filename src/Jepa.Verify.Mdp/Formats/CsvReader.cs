using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using nietras.SeparatedValues;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// A forward cursor over the records of a CSV file, parsed by Sep (RFC 4180: comma-separated fields,
/// double-quoted fields with <c>""</c> escapes, which may hold commas and line breaks).
/// </summary>
/// <remarks>
/// <para>
/// Whitespace (spaces, tabs) around a field is dropped; inside quotes it is kept: <c>a , b</c> gives
/// <c>a</c> and <c>b</c>, while <c>" a "</c> gives <c> a </c>. Records that are blank and lines whose
/// first field starts with <c>#</c> are skipped. Line endings may be LF or CRLF; a UTF-8 or UTF-16 byte
/// order mark selects the encoding, otherwise the file must be UTF-8 (invalid bytes are an error named by
/// line, and so is U+FFFD, which stands for them once decoded; a NUL character is refused as binary or
/// BOM-less UTF-16).
/// </para>
/// <para>
/// Sep does the splitting (the fastest of the two well-kept parsers on the 10^6-row bench); the trimming
/// and unquoting are done here because Sep's own trimming cost more than the parse itself.
/// </para>
/// </remarks>
internal sealed class CsvReader : IDisposable
{
    private readonly string path;
    private readonly StreamReader text;
    private readonly SepReader sep;
    private readonly List<string?> unquoted = [];

    private CsvReader(string path, Stream stream)
    {
        this.path = path;
        text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        sep = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = false }).From(text);
    }

    /// <summary>The 1-based line where the current record starts.</summary>
    public int Line { get; private set; }

    /// <summary>The number of fields of the current record.</summary>
    public int Count { get; private set; }

    /// <summary>Opens a file.</summary>
    /// <exception cref="MdpFormatException">When the file is missing, too large or unreadable.</exception>
    public static CsvReader Open(string path)
    {
        var stream = TextFile.OpenRead(path);
        try
        {
            return new CsvReader(path, stream);
        }
        catch (IOException ex)
        {
            stream.Dispose();
            throw new MdpFormatException(new SourceLocation(path, 0), $"cannot read the file ({ex.Message.TrimEnd('.')})", "check that it exists and is readable");
        }
    }

    /// <summary>Moves to the next record that is not blank or a comment; false at the end.</summary>
    /// <exception cref="MdpFormatException">On invalid text (not UTF-8, a NUL character).</exception>
    public bool Next()
    {
        while (true)
        {
            if (!sep.MoveNext())
            {
                return false;
            }

            var row = sep.Current;
            Line = row.RowIndex == 0 ? 1 : row.LineNumberFrom; // Sep 0.17.1 says 2 for the first record

            Count = row.ColCount;
            unquoted.Clear();
            if (row.Span.Contains('\0'))
            {
                throw new MdpFormatException(new SourceLocation(path, Line), "the file holds NUL characters: it is binary, or UTF-16 without a byte order mark",
                    "save it as UTF-8 text (or UTF-16 with a byte order mark)");
            }

            if (row.Span.Contains('\uFFFD'))
            {
                // The decoder replaces invalid bytes with U+FFFD; checking each record names the line.
                throw new MdpFormatException(new SourceLocation(path, Line), "the file is not valid UTF-8 text (or holds U+FFFD, the replacement character)", "save it as UTF-8");
            }

            var first = Trim(row[0].Span);
            if ((Count == 1 && first.IsEmpty) || (first.Length > 0 && first[0] == '#'))
            {
                continue;
            }

            if (row.Span.Contains('"'))
            {
                // Rare: check every quoted field now, so an unclosed quote is named before any field count.
                for (var i = 0; i < Count; i++)
                {
                    Field(i);
                }
            }

            return true;
        }
    }

    /// <summary>Field <paramref name="index"/> of the current record, trimmed and unquoted.</summary>
    /// <exception cref="MdpFormatException">For text after a closing quote or an unclosed quote.</exception>
    public ReadOnlySpan<char> Field(int index)
    {
        var raw = Trim(sep.Current[index].Span);
        if (raw.IsEmpty || raw[0] != '"')
        {
            return raw;
        }

        while (unquoted.Count <= index)
        {
            unquoted.Add(null);
        }

        return unquoted[index] ??= Unquote(raw, index);
    }

    /// <summary>Field <paramref name="index"/> as a new string.</summary>
    public string FieldString(int index) => Field(index).ToString();

    /// <summary>
    /// The place of field <paramref name="index"/> (plus <paramref name="within"/> characters into its trimmed
    /// text): its line and 1-based column, or the record's line alone when an earlier field spans lines.
    /// </summary>
    public SourceLocation At(int index, int within = 0)
    {
        var row = sep.Current;
        var span = row.Span;
        var field = row[index].Span;
        var offset = (int)(Unsafe.ByteOffset(ref MemoryMarshal.GetReference(span), ref MemoryMarshal.GetReference(field)) / sizeof(char));
        if (offset < 0 || offset > span.Length)
        {
            return new SourceLocation(path, Line);
        }

        var column = offset + (field.Length - field.TrimStart(" \t").Length) + within + 1;
        return span[..offset].Contains('\n') ? new SourceLocation(path, Line) : new SourceLocation(path, Line, column);
    }

    /// <summary>The place of the current record's line.</summary>
    public SourceLocation Here => new(path, Line);

    /// <summary>All fields of the current record as strings (for headers and messages).</summary>
    public string[] Fields()
    {
        var fields = new string[Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = FieldString(i);
        }

        return fields;
    }

    public void Dispose()
    {
        sep.Dispose();
        text.Dispose();
    }

    private static ReadOnlySpan<char> Trim(ReadOnlySpan<char> s) => s.Trim(" \t\r\n");

    private string Unquote(ReadOnlySpan<char> raw, int index)
    {
        var sb = new StringBuilder(raw.Length);
        var i = 1;
        while (true)
        {
            if (i >= raw.Length)
            {
                throw new MdpFormatException(At(index), "a quoted field is not closed", "close the quote (a quoted field may span lines, so the rest of the file was read as part of it)");
            }

            if (raw[i] == '"')
            {
                if (i + 1 < raw.Length && raw[i + 1] == '"')
                {
                    sb.Append('"');
                    i += 2;
                    continue;
                }

                if (i + 1 != raw.Length)
                {
                    throw new MdpFormatException(At(index, i + 1), "text after a closing quote", "put a comma after the quoted field, or write a quote inside quotes as \"\"");
                }

                return sb.ToString();
            }

            sb.Append(raw[i++]);
        }
    }
}
