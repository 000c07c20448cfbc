using System.Buffers.Binary;
using System.Text;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// Reads the protobuf wire format field by field: what <see cref="OnnxGraph"/> needs to see an ONNX model's nodes and
/// weights (ONNX Runtime runs a model but does not expose its graph).
/// </summary>
/// <remarks>Written by hand for the reason <see cref="ProtoWriter"/> is: no generated ONNX classes are served here.</remarks>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> data = data;
    private int position;

    /// <summary>Whether the whole message has been read.</summary>
    public readonly bool AtEnd => position >= data.Length;

    /// <summary>The next field's number and wire type, or false at the end.</summary>
    /// <exception cref="FormatException">A truncated or malformed message.</exception>
    public bool Next(out int field, out int wireType)
    {
        if (position >= data.Length)
        {
            (field, wireType) = (0, 0);
            return false;
        }

        var key = Varint();
        (field, wireType) = ((int)(key >> 3), (int)(key & 7));
        return true;
    }

    /// <summary>A varint field's value.</summary>
    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new FormatException("a varint runs past the end of the message");
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("a varint is longer than ten bytes");
    }

    /// <summary>A length-delimited field's bytes.</summary>
    public ReadOnlySpan<byte> Bytes()
    {
        var length = Varint();
        if (length > (ulong)(data.Length - position))
        {
            throw new FormatException("a field runs past the end of the message");
        }

        var slice = data.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }

    /// <summary>A length-delimited field as UTF-8 text.</summary>
    public string String() => Encoding.UTF8.GetString(Bytes());

    /// <summary>A fixed 32-bit float field.</summary>
    public float Float()
    {
        var value = BinaryPrimitives.ReadSingleLittleEndian(Fixed(4));
        return value;
    }

    /// <summary>A fixed 64-bit double field.</summary>
    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Fixed(8));

    /// <summary>Skips a field of <paramref name="wireType"/>.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0:
                Varint();
                break;
            case 1:
                Fixed(8);
                break;
            case 2:
                Bytes();
                break;
            case 5:
                Fixed(4);
                break;
            default:
                throw new FormatException($"wire type {wireType} is not supported");
        }
    }

    private ReadOnlySpan<byte> Fixed(int size)
    {
        if (position + size > data.Length)
        {
            throw new FormatException("a fixed-size field runs past the end of the message");
        }

        var slice = data.Slice(position, size);
        position += size;
        return slice;
    }
}
