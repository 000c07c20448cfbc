using System.Buffers.Binary;
using System.Text;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// The protobuf wire format, just what an ONNX model file needs: varints, length-delimited fields (strings, bytes,
/// nested messages) and fixed 32-bit floats.
/// </summary>
/// <remarks>
/// Written by hand: ONNX Runtime's C# package reads models but does not write them, and Google.Protobuf would need
/// classes generated from onnx.proto (not served here); the subset of the format an MLP graph uses is a page.
/// </remarks>
internal sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => buffer.ToArray();

    /// <summary>A varint field (int32, int64, enum, bool); negative values take ten bytes, as protobuf encodes them.</summary>
    public ProtoWriter Varint(int field, long value)
    {
        Key(field, 0);
        Raw((ulong)value);
        return this;
    }

    /// <summary>A float field (fixed 32 bits).</summary>
    public ProtoWriter Float(int field, float value)
    {
        Key(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        buffer.Write(b);
        return this;
    }

    /// <summary>A string field (UTF-8).</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, 2);
        Raw((ulong)value.Length);
        buffer.Write(value);
        return this;
    }

    /// <summary>A nested message field.</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        return Bytes(field, inner.ToArray());
    }

    private void Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

    private void Raw(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.WriteByte((byte)value);
    }
}
