using System.Buffers.Binary;
using System.Globalization;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Pipeline.Latents;

/// <summary>
/// An open <c>.npy</c> matrix whose header has been checked (<see cref="NpyFile.Open"/>): its rows are read in order, a
/// block at a time, so a matrix larger than memory can feed an encoder batch by batch.
/// </summary>
public sealed class NpyMatrix : IDisposable
{
    /// <summary>Values converted per read of the data.</summary>
    private const int BlockValues = 8192;

    private readonly FileStream stream;
    private readonly int size;
    private readonly bool bigEndian;
    private readonly byte[] block;
    private long read;

    internal NpyMatrix(FileStream stream, string path, int rows, int columns, int size, bool bigEndian)
    {
        this.stream = stream;
        Path = path;
        Rows = rows;
        Columns = columns;
        this.size = size;
        this.bigEndian = bigEndian;
        block = new byte[BlockValues * size];
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Rows in the file.</summary>
    public int Rows { get; }

    /// <summary>Values per row.</summary>
    public int Columns { get; }

    /// <summary>The shape of one row as the file gives it: <c>[d]</c> for a matrix, <c>[C, H, W]</c> for images; its product is <see cref="Columns"/>.</summary>
    public System.Collections.Immutable.ImmutableArray<int> RowShape { get; init; } = [];

    /// <summary>Reads the next <c>into.Length / Columns</c> rows as float32 (float64 rounded to the nearest float32).</summary>
    /// <param name="into">Whole rows; fewer than the rows left.</param>
    /// <exception cref="MdpFormatException">A value is NaN, infinite or beyond the float32 range (naming its row and column).</exception>
    /// <exception cref="ArgumentException">Not whole rows, or more rows than are left.</exception>
    public void ReadRows(Span<float> into)
    {
        if (Columns > 0 && into.Length % Columns != 0)
        {
            throw new ArgumentException($"{into.Length} values are not whole rows of {Columns}", nameof(into));
        }

        if (read + into.Length > (long)Rows * Columns)
        {
            throw new ArgumentException($"{into.Length} more values asked, {((long)Rows * Columns) - read} left", nameof(into));
        }

        for (var done = 0; done < into.Length; done += BlockValues)
        {
            var take = Math.Min(BlockValues, into.Length - done);
            stream.ReadExactly(block, 0, take * size);
            for (var j = 0; j < take; j++)
            {
                var at = block.AsSpan(j * size, size);
                var v = size == 4
                    ? (bigEndian ? BinaryPrimitives.ReadSingleBigEndian(at) : BinaryPrimitives.ReadSingleLittleEndian(at))
                    : (bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(at) : BinaryPrimitives.ReadDoubleLittleEndian(at));
                var value = (float)v;
                if (!float.IsFinite(value))
                {
                    var i = read + done + j;
                    throw new MdpFormatException(new SourceLocation(Path, 0),
                        $"row {i / Columns}, column {i % Columns} is {v.ToString(CultureInfo.InvariantCulture)}, which is {(double.IsFinite(v) ? "beyond the float32 range" : "not finite")}",
                        "the values must be finite float32 numbers; check what wrote them");
                }

                into[done + j] = value;
            }
        }

        read += into.Length;
    }

    /// <inheritdoc/>
    public void Dispose() => stream.Dispose();
}
