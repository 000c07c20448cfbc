namespace Jepa.Verify.Pipeline.Check;

/// <summary>
/// A model trained elsewhere that a check config assesses instead of training: <c>"model": {"onnx": {…}}</c>,
/// <c>"model": {"latents": "Z.npy"}</c>, or both with the heads alone in <c>"onnx"</c> (latents from the user's own
/// pipeline). Paths are resolved against the config's folder.
/// </summary>
/// <param name="Kind"><c>onnx</c> or <c>latents</c>: the check cases are named after it (<c>assess onnx</c>, <c>collapse onnx</c>).</param>
/// <param name="Latents">The latents file, for <c>latents</c>.</param>
/// <param name="Encoder">The ONNX encoder, for <c>onnx</c>.</param>
/// <param name="Transition">The ONNX transition model, or null.</param>
/// <param name="AuxHead">The ONNX aux head, or null.</param>
/// <param name="AuxBins">The aux head outputs logits over these two-hot bins (<c>"aux_bins"</c>, <c>"aux_range"</c>), or null.</param>
public sealed record ExternalModel(string Kind, string? Latents, string? Encoder, string? Transition, string? AuxHead, Learning.Autograd.TwoHotBins? AuxBins = null);
