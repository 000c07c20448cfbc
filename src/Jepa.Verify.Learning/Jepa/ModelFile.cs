using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// Saves and loads a <see cref="PJepaModel"/> in a versioned binary file (<c>.jvm</c>).
/// </summary>
/// <remarks>
/// Layout (little-endian): the 8 bytes <c>JVMODEL\n</c>; a u32 format version (1); a u32 length and
/// that many bytes of UTF-8 JSON giving the <see cref="ModelShape"/>; a u32 tensor count and per
/// tensor a u16 name length, the UTF-8 name, a u8 rank, i32 dimensions and float32 values; then a
/// SHA-256 of everything before it. Files are written to a temporary file and renamed, so a
/// crash never leaves half a model. Loading checks the magic, version, checksum, names and shapes,
/// and reports the first problem as one line with the byte offset.
/// </remarks>
public static partial class ModelFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int Version = 1;

    private static readonly byte[] Magic = "JVMODEL\n"u8.ToArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    /// <exception cref="MdpFormatException">When the file cannot be written (one line, with the path).</exception>
    public static void Save(PJepaModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllBytes(path, Serialize(model));
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">When the file is missing, not a model file, of another version, truncated or corrupt.</exception>
    public static PJepaModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            if (File.Exists(path) && Mdp.Formats.TextFile.SizeProblem(new FileInfo(path).Length) is { } problem)
            {
                throw new ModelFormatException(path, 0, problem, "pass a model written by 'jepa-verify train --save'");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, 0, $"cannot read the model ({ex.Message.TrimEnd('.')})", "check the path (models are written by 'jepa-verify train --save')");
        }

        return Deserialize(bytes, path);
    }

    /// <summary>The file's bytes for <paramref name="model"/>.</summary>
    public static byte[] Serialize(PJepaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            var header = JsonSerializer.SerializeToUtf8Bytes(ShapeJson.From(model.Shape), HeaderJson.Default.ShapeJson);
            w.Write(header.Length);
            w.Write(header);
            var parameters = model.NamedParameters().ToList();
            w.Write(parameters.Count);
            foreach (var (name, p) in parameters)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                w.Write((ushort)nameBytes.Length);
                w.Write(nameBytes);
                w.Write((byte)p.Rank);
                foreach (var d in p.Shape)
                {
                    w.Write(d);
                }

                foreach (var v in p.Data)
                {
                    w.Write(v);
                }
            }
        }

        var body = stream.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    /// <summary>Rebuilds a model from the bytes of a model file; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="ModelFormatException">When the bytes are not a valid model file.</exception>
    public static PJepaModel Deserialize(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var r = new Reader(bytes, path);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw r.Error(0, "not a jepa-verify model file (wrong magic bytes)", "pass a file written by 'jepa-verify train --save'");
        }

        r.Skip(Magic.Length);
        var version = r.Int32();
        if (version != Version)
        {
            throw r.Error(Magic.Length, $"model format version {version}, this jepa-verify reads version {Version}",
                version > Version ? "use the jepa-verify that wrote it, or a newer one" : "retrain and save the model with this version");
        }

        if (bytes.Length < r.Offset + 32)
        {
            throw r.Error(bytes.Length, "the file is truncated", "re-save the model; the file was cut short");
        }

        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw r.Error(bytes.Length - 32, "checksum mismatch: the file is corrupt or truncated", "re-save the model from a training run");
        }

        r.Limit = bytes.Length - 32;
        var headerAt = r.Offset;
        var header = r.Bytes(r.Length("header"));
        ModelShape shape;
        try
        {
            shape = (JsonSerializer.Deserialize(header, HeaderJson.Default.ShapeJson) ?? throw new JsonException("empty header")).ToShape();
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or NotSupportedException)
        {
            throw r.Error(headerAt, $"the model header is not valid ({ex.Message.ReplaceLineEndings(" ").TrimEnd('.')})", "re-save the model from a training run");
        }

        if (MinimumWeights(shape) * sizeof(float) > r.Limit - r.Offset)
        {
            // Refused before allocating: a corrupt header must not ask for gigabytes.
            throw r.Error(headerAt, "the model header describes a model larger than the file holds", "re-save the model from a training run");
        }

        PJepaModel model;
        try
        {
            model = new PJepaModel(shape);
        }
        catch (ArgumentException ex)
        {
            throw r.Error(headerAt, $"the model header describes an impossible model ({ex.Message.ReplaceLineEndings(" ").TrimEnd('.')})", "re-save the model from a training run");
        }

        var expected = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var count = r.Length("tensor count");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var at = r.Offset;
            var name = Encoding.UTF8.GetString(r.Bytes(r.UInt16()));
            if (!expected.TryGetValue(name, out var target) || !seen.Add(name))
            {
                throw r.Error(at, $"unexpected tensor '{name}' for this model shape", "re-save the model from a training run");
            }

            var rank = r.Byte();
            var dims = new int[rank];
            for (var k = 0; k < rank; k++)
            {
                dims[k] = r.Int32();
            }

            if (!dims.SequenceEqual(target.Shape))
            {
                throw r.Error(at, $"tensor '{name}' has shape [{string.Join(", ", dims)}], the model needs [{string.Join(", ", target.Shape)}]", "re-save the model from a training run");
            }

            var data = r.Bytes(target.Length * sizeof(float));
            for (var k = 0; k < target.Length; k++)
            {
                target.Data[k] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(k * sizeof(float)));
            }
        }

        if (seen.Count != expected.Count)
        {
            var missing = expected.Keys.First(k => !seen.Contains(k));
            throw r.Error(r.Offset, $"tensor '{missing}' is missing", "re-save the model from a training run");
        }

        if (r.Offset != r.Limit)
        {
            throw r.Error(r.Offset, "unexpected bytes after the last tensor", "re-save the model from a training run");
        }

        return (PJepaModel)model.Eval();
    }

    /// <summary>
    /// A lower bound on the parameters of a model of this shape: the weight matrices of the encoder,
    /// the transition and the aux head without biases and action inputs (in double: no overflow).
    /// </summary>
    private static double MinimumWeights(ModelShape s)
    {
        double hidden = s.HiddenDim, latent = s.LatentDim;
        var encoder = s.Image is { } image ? image.Stages[^1] * latent // its linear head, a lower bound on the convolutions
            : s.EncoderHiddenLayers == 0
            ? (double)s.FeatureDim * latent
            : ((double)s.FeatureDim * hidden) + ((s.EncoderHiddenLayers - 1) * hidden * hidden) + (hidden * latent);
        return encoder + (2 * latent * hidden) + (latent * hidden) + (Math.Max(0, s.AuxHiddenLayers - 1) * hidden * hidden) + (hidden * s.AuxOutputs);
    }

    /// <summary>The header's serializer, generated at build time (no reflection, so ahead-of-time compiled builds read and write it too).</summary>
    [System.Text.Json.Serialization.JsonSerializable(typeof(ShapeJson))]
    private sealed partial class HeaderJson : System.Text.Json.Serialization.JsonSerializerContext;

    /// <summary>The header as stored: snake_case JSON with the activation by name.</summary>
    private sealed record ShapeJson(
        [property: System.Text.Json.Serialization.JsonPropertyName("feature_dim")] int FeatureDim,
        [property: System.Text.Json.Serialization.JsonPropertyName("actions")] int Actions,
        [property: System.Text.Json.Serialization.JsonPropertyName("aux_dim")] int AuxDim,
        [property: System.Text.Json.Serialization.JsonPropertyName("latent_dim")] int LatentDim,
        [property: System.Text.Json.Serialization.JsonPropertyName("hidden_dim")] int HiddenDim,
        [property: System.Text.Json.Serialization.JsonPropertyName("encoder_hidden_layers")] int EncoderHiddenLayers,
        [property: System.Text.Json.Serialization.JsonPropertyName("activation")] string Activation,
        [property: System.Text.Json.Serialization.JsonPropertyName("layer_norm")] bool LayerNorm,
        [property: System.Text.Json.Serialization.JsonPropertyName("seed")] ulong Seed,
        [property: System.Text.Json.Serialization.JsonPropertyName("image")]
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        int[]? Image = null,
        [property: System.Text.Json.Serialization.JsonPropertyName("stages")]
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        int[]? Stages = null,
        [property: System.Text.Json.Serialization.JsonPropertyName("aux_hidden_layers")]
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        int? AuxHiddenLayers = null,
        [property: System.Text.Json.Serialization.JsonPropertyName("two_hot")]
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        float[]? TwoHot = null)
    {
        public static ShapeJson From(ModelShape s) => new(s.FeatureDim, s.Actions, s.AuxDim, s.LatentDim, s.HiddenDim,
            s.EncoderHiddenLayers, s.Activation.ToString().ToLowerInvariant(), s.LayerNorm, s.Seed,
            s.Image is { } i ? [i.Channels, i.Height, i.Width] : null, s.Image is { } j ? [.. j.Stages] : null,
            s.AuxHiddenLayers == 1 ? null : s.AuxHiddenLayers, s.TwoHot is { } b ? [b.Count, b.Min, b.Max] : null);

        public ModelShape ToShape()
        {
            if (!Enum.TryParse<ActivationKind>(Activation, ignoreCase: true, out var activation) || !Enum.IsDefined(activation))
            {
                throw new ArgumentException($"unknown activation '{Activation}'");
            }

            if (FeatureDim < 1 || Actions < 1 || AuxDim < 1 || LatentDim < 1 || HiddenDim < 1 || EncoderHiddenLayers < 0 ||
                (long)FeatureDim * HiddenDim > 1L << 28 || EncoderHiddenLayers > 64)
            {
                throw new ArgumentException("a dimension is out of range");
            }

            ImageEncoderShape? image = null;
            if (Image is not null || Stages is not null)
            {
                if (Image is not { Length: 3 } || Stages is null)
                {
                    throw new ArgumentException("\"image\" must be [channels, height, width] and come with \"stages\"");
                }

                image = new ImageEncoderShape(Image[0], Image[1], Image[2], [.. Stages]);
                if (image.Problem(FeatureDim) is { } problem)
                {
                    throw new ArgumentException(problem);
                }
            }

            if (AuxHiddenLayers is < 0 or > 16)
            {
                throw new ArgumentException($"\"aux_hidden_layers\" must be 0 to 16, got {AuxHiddenLayers}");
            }

            TwoHotBins? twoHot = null;
            if (TwoHot is not null)
            {
                if (TwoHot is not [var count, var min, var max] || count != MathF.Round(count) || count is < 2 or > 1 << 16 || AuxDim != 1)
                {
                    throw new ArgumentException("\"two_hot\" must be [bins, min, max] with 2 to 65536 bins, for a scalar aux (\"aux_dim\": 1)");
                }

                twoHot = new TwoHotBins((int)count, min, max);
                if (twoHot.Problem() is { } problem)
                {
                    throw new ArgumentException(problem);
                }
            }

            return new ModelShape(FeatureDim, Actions, AuxDim, LatentDim, HiddenDim, EncoderHiddenLayers, activation, LayerNorm, Seed, image, AuxHiddenLayers ?? 1, twoHot);
        }
    }

    /// <summary>A bounds-checked little-endian cursor that turns overruns into one-line errors.</summary>
    private sealed class Reader(byte[] bytes, string path)
    {
        public int Offset { get; private set; }

        public int Limit { get; set; } = bytes.Length;

        public void Skip(int count) => Take(count);

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public byte Byte() => Take(1)[0];

        public byte[] Bytes(int count) => Take(count).ToArray();

        public int Length(string what)
        {
            var at = Offset;
            var n = Int32();
            return n >= 0 && n <= Limit - Offset ? n : throw Error(at, $"the {what} ({n}) runs past the end of the file", "re-save the model from a training run");
        }

        public ModelFormatException Error(int offset, string problem, string fix) => new(path, offset, problem, fix);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > Limit - Offset)
            {
                throw Error(Offset, "the file ends in the middle of a value", "re-save the model; the file was cut short");
            }

            var span = bytes.AsSpan(Offset, count);
            Offset += count;
            return span;
        }
    }
}
