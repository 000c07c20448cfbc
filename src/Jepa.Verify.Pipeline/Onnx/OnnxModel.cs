using Jepa.Verify.Mdp;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// One ONNX graph run by ONNX Runtime (CPU provider), with the checks the JEPA contract needs: its inputs'
/// element types and ranks, and finite outputs. Every problem is one line naming the file and the input or output.
/// </summary>
internal sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession session;

    private OnnxModel(string path, InferenceSession session)
    {
        Path = path;
        this.session = session;
        Inputs = [.. session.InputNames.Select(n => (n, session.InputMetadata[n]))];
        Outputs = [.. session.OutputNames.Select(n => (n, session.OutputMetadata[n]))];
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The graph's inputs in declared order.</summary>
    public IReadOnlyList<(string Name, NodeMetadata Meta)> Inputs { get; }

    /// <summary>The graph's outputs in declared order.</summary>
    public IReadOnlyList<(string Name, NodeMetadata Meta)> Outputs { get; }

    /// <summary>Loads <paramref name="path"/> (its role, e.g. <c>--encoder</c>, is named in messages).</summary>
    /// <exception cref="MdpFormatException">The file is missing or is not an ONNX model ONNX Runtime can load.</exception>
    public static OnnxModel Load(string path, string role)
    {
        if (!File.Exists(path))
        {
            throw Bad(path, $"{role}: {(Directory.Exists(path) ? "is a directory, not a file" : "the file does not exist")}", "give the path of an .onnx file");
        }

        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            return new OnnxModel(path, new InferenceSession(path, options));
        }
        catch (OnnxRuntimeException ex)
        {
            throw Bad(path, $"{role}: not an ONNX model ONNX Runtime can load ({FirstLine(ex.Message)})", "export it with torch.onnx.export (opset 13–17)");
        }
    }

    /// <summary>The one-line error for this model.</summary>
    public MdpFormatException Error(string problem, string fix) => Bad(Path, problem, fix);

    /// <summary>Checks that the graph has exactly <paramref name="count"/> inputs.</summary>
    public void RequireInputCount(int count, string what)
    {
        if (Inputs.Count != count)
        {
            throw Error($"the graph has {Inputs.Count} input(s) ({string.Join(", ", Inputs.Select(i => $"'{i.Name}'"))}); {what}", "export the model with the inputs the contract names (docs/formats.md, ONNX models)");
        }
    }

    /// <summary>Checks that input <paramref name="index"/> exists and is a tensor of <typeparamref name="T"/> with one of the given ranks.</summary>
    public void RequireInput<T>(int index, string what, params int[] ranks)
    {
        if (index >= Inputs.Count)
        {
            throw Error($"the graph has {Inputs.Count} input(s); {what} is input {index + 1}", "export the model with the inputs the contract names (docs/formats.md, ONNX models)");
        }

        var (name, meta) = Inputs[index];
        if (!meta.IsTensor || meta.ElementType != typeof(T) || !ranks.Contains(meta.Dimensions.Length))
        {
            throw Error($"input '{name}' ({what}) is declared as {Describe(meta)}; expected a {TypeName(typeof(T))} tensor of rank {string.Join(" or ", ranks)}", "export the model with that input");
        }
    }

    /// <summary>
    /// Runs the graph on <paramref name="rows"/> rows, <paramref name="batch"/> at a time, and returns its first output
    /// as row-major floats with <c>columns</c> per row.
    /// </summary>
    /// <param name="rows">How many rows to run.</param>
    /// <param name="batch">Rows per run.</param>
    /// <param name="inputs">Makes the inputs of the rows <c>[start, start + count)</c>.</param>
    public (float[] Values, int Columns) Run(int rows, int batch, Func<int, int, IReadOnlyCollection<NamedOnnxValue>> inputs)
    {
        // A batch dimension fixed at export (torch.onnx.export without dynamic_axes) takes only that many rows: said
        // here in one line, before ONNX Runtime's cut-off "Got invalid dimensions".
        foreach (var (name, meta) in Inputs)
        {
            if (meta.IsTensor && meta.Dimensions.Length > 0 && meta.Dimensions[0] > 0 && (meta.Dimensions[0] != rows || batch < rows))
            {
                throw Error($"input '{name}' has a fixed batch dimension of {meta.Dimensions[0]} rows, but {rows} rows are run (in batches of up to {batch})",
                    $"export with a dynamic batch: torch.onnx.export(..., dynamic_axes={{'{name}': {{0: 'batch'}}, <output>: {{0: 'batch'}}}})");
            }
        }

        float[]? result = null;
        var columns = 0;
        for (var start = 0; start < rows; start += batch)
        {
            var count = Math.Min(batch, rows - start);
            IDisposableReadOnlyCollection<DisposableNamedOnnxValue> outputs;
            try
            {
                outputs = session.Run(inputs(start, count));
            }
            catch (OnnxRuntimeException ex)
            {
                throw Error($"running the graph failed ({FirstLine(ex.Message)})", "check the model's input sizes against the MDP");
            }

            using (outputs)
            {
                var first = outputs.First();
                if (first.Value is not Tensor<float> tensor)
                {
                    throw Error($"output '{first.Name}' is not a float tensor", "make the first output the float32 result");
                }

                var dims = tensor.Dimensions;
                var outRows = dims.Length == 0 ? 1 : dims[0];
                var cols = dims.Length switch { 1 => 1, 2 => dims[1], _ => -1 };
                if (cols < 1 || outRows != count || (result is not null && cols != columns))
                {
                    throw Error($"output '{first.Name}' has shape [{string.Join(", ", dims.ToArray())}] for {count} input rows; expected [{count}, d]", "make the first output one row per input row");
                }

                columns = cols;
                result ??= new float[(long)rows * cols];
                var span = tensor is DenseTensor<float> dense ? dense.Buffer.Span : tensor.ToArray();
                for (var i = 0; i < span.Length; i++)
                {
                    if (!float.IsFinite(span[i]))
                    {
                        throw Error($"output '{first.Name}' is {span[i]} at row {start + (i / cols)}", "the model produced a NaN or infinite value; check its weights and inputs");
                    }
                }

                span.CopyTo(result.AsSpan((int)((long)start * cols)));
            }
        }

        return (result ?? [], columns);
    }

    /// <inheritdoc/>
    public void Dispose() => session.Dispose();

    /// <summary>A float tensor input <c>[count, columns]</c>: rows <c>start…start+count−1</c> of <paramref name="source"/>, without a copy.</summary>
    public static NamedOnnxValue Rows(string name, float[] source, int start, int count, int columns) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(source.AsMemory(start * columns, count * columns), [count, columns]));

    private static string Describe(NodeMetadata meta) =>
        meta.IsTensor ? $"a {TypeName(meta.ElementType)} tensor [{string.Join(", ", meta.Dimensions.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]" : "not a tensor";

    private static string TypeName(Type t) => t == typeof(float) ? "float32" : t == typeof(long) ? "int64" : t == typeof(double) ? "float64" : t.Name.ToLowerInvariant();

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static MdpFormatException Bad(string path, string problem, string fix) => new(new SourceLocation(path, 0), problem, fix);
}
