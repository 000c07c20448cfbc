using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Pipeline.Latents;

/// <summary>
/// Reads a two-dimensional NumPy <c>.npy</c> array of float32 or float64 (what <c>np.save(path, z)</c> writes for a
/// latent matrix) into float32, row-major.
/// </summary>
/// <remarks>
/// Written by hand: no package served here reads <c>.npy</c>, and the format is one short header (magic
/// <c>\x93NUMPY</c>, a version, a header length, a Python dict literal with <c>descr</c>, <c>fortran_order</c> and
/// <c>shape</c>) followed by the raw little- or big-endian data. Versions 1.0, 2.0 and 3.0 are read.
/// </remarks>
public static partial class NpyFile
{
    /// <summary>Values converted per read of the data.</summary>
    private const int BlockValues = 8192;

    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <returns>The array as float32 (float64 values are rounded to the nearest float32), its rows and columns.</returns>
    /// <exception cref="MdpFormatException">
    /// Not an <c>.npy</c> file, a dtype other than float32/float64, Fortran order, not two-dimensional, a
    /// truncated file, or a value that is NaN, infinite or beyond the float32 range; one line, naming the file.
    /// </exception>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        using var stream = Open(path);
        var where = new SourceLocation(path, 0);
        var length = stream.Length;
        var prefix = new byte[12];
        var got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 10 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new MdpFormatException(where, "not a NumPy .npy file (no \\x93NUMPY magic)", "save the latents with numpy.save(path, z)");
        }

        var major = prefix[6];
        var (headerLength, headerStart) = major switch
        {
            1 => (BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8)), 10),
            2 or 3 when got >= 12 => ((int)BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8)), 12),
            _ => throw new MdpFormatException(where, $".npy format version {major} is not supported", "save with numpy.save (versions 1.0–3.0)"),
        };
        if (headerStart + (long)headerLength > length)
        {
            throw new MdpFormatException(where, "the .npy header is cut short", "save the file again; it is truncated");
        }

        var headerBytes = new byte[headerLength];
        stream.Position = headerStart;
        stream.ReadExactly(headerBytes);
        var header = Encoding.UTF8.GetString(headerBytes);
        var descr = Field(header, "descr", where);
        var fortran = Field(header, "fortran_order", where);
        var shape = Field(header, "shape", where);
        if (fortran != "False")
        {
            throw new MdpFormatException(where, "the array is in Fortran (column-major) order", "save a C-ordered array: numpy.save(path, numpy.ascontiguousarray(z))");
        }

        var (size, bigEndian) = descr.Trim('\'', '"') switch
        {
            "<f4" or "=f4" => (4, false),
            ">f4" => (4, true),
            "<f8" or "=f8" => (8, false),
            ">f8" => (8, true),
            var d => throw new MdpFormatException(where, $"the dtype is {d}; latents must be float32 or float64", "convert first: numpy.save(path, z.astype(numpy.float32))"),
        };
        var dims = shape.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims.Length != 2 || !long.TryParse(dims[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rows) || !long.TryParse(dims[1], NumberStyles.None, CultureInfo.InvariantCulture, out var columns))
        {
            throw new MdpFormatException(where, $"the array has shape {shape}; latents must be two-dimensional, [observations, d]", "save a 2-D array (reshape a vector with z.reshape(-1, 1))");
        }

        var count = rows * columns;
        var data = headerStart + headerLength;
        if (count > Array.MaxLength || length - data != count * size)
        {
            throw new MdpFormatException(where, $"the header says {rows} × {columns} values of {size} bytes but the file holds {length - data} bytes of data", "save the file again; it is truncated or padded");
        }

        // The data is converted block by block, so the file is never held twice (its bytes and the floats).
        var values = new float[count];
        var block = new byte[BlockValues * size];
        for (long start = 0; start < count; start += BlockValues)
        {
            var take = (int)Math.Min(BlockValues, count - start);
            stream.ReadExactly(block, 0, take * size);
            for (var j = 0; j < take; j++)
            {
                var at = block.AsSpan(j * size, size);
                var v = size == 4
                    ? (bigEndian ? BinaryPrimitives.ReadSingleBigEndian(at) : BinaryPrimitives.ReadSingleLittleEndian(at))
                    : (bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(at) : BinaryPrimitives.ReadDoubleLittleEndian(at));
                var i = start + j;
                values[i] = (float)v;
                if (!float.IsFinite(values[i]))
                {
                    throw new MdpFormatException(where, $"row {i / columns}, column {i % columns} is {v.ToString(CultureInfo.InvariantCulture)}, which is {(double.IsFinite(v) ? "beyond the float32 range" : "not finite")}", "latents must be finite float32 values; check the model's output");
                }
            }
        }

        return (values, (int)rows, (int)columns);
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), $"cannot read the file ({ex.Message.TrimEnd('.')})", "check the path");
        }
    }

    private static string Field(string header, string key, SourceLocation where)
    {
        foreach (Match match in FieldPattern().Matches(header))
        {
            if (match.Groups["key"].Value == key)
            {
                return match.Groups["value"].Value.Trim();
            }
        }

        throw new MdpFormatException(where, $"the .npy header has no '{key}'", "save the file with numpy.save");
    }

    [GeneratedRegex(@"'(?<key>\w+)'\s*:\s*(?<value>'[^']*'|\([^)]*\)|True|False)")]
    private static partial Regex FieldPattern();
}
