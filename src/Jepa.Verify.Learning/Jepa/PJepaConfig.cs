using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// Everything that fixes a P-JEPA training run. The defaults train the counting MDP (9 one-hot
/// observations) to a loss below 1e-4 in a few hundred steps on one core.
/// </summary>
/// <param name="Mode">What is trained (default <see cref="TrainingMode.Joint"/>).</param>
/// <param name="Seed">Seeds initialisation, batches and the random aux.</param>
/// <param name="Steps">The step budget (optimizer updates; <see cref="TrainingMode.Separate"/> spends it twice, once per phase).</param>
/// <param name="LatentDim">Dimension of the latent z.</param>
/// <param name="HiddenDim">Width of every hidden layer.</param>
/// <param name="EncoderHiddenLayers">Hidden layers of the encoder (the transition and aux head have one).</param>
/// <param name="Activation">The non-linearity.</param>
/// <param name="LayerNorm">Whether hidden layers are layer-normalised.</param>
/// <param name="AuxWeight">c_p in <c>L = L_dyn + c_p · L_p</c>.</param>
/// <param name="LearningRate">Adam's initial step size.</param>
/// <param name="CosineSchedule">Anneal the step size to 0 over the budget by a half cosine (reaches far lower losses than a constant rate).</param>
/// <param name="WeightDecay">Adam's (coupled, L2) weight decay.</param>
/// <param name="BatchSize">Transitions per minibatch (all of them when there are fewer).</param>
/// <param name="LossTarget">Training stops early once L_dyn and L_p, over all transitions, are both below this.</param>
/// <param name="EvalEvery">Steps between full-data loss evaluations (early stop and progress).</param>
/// <param name="StopGradTarget">Detach <c>E(o')</c> in <c>L_dyn</c> (a comparison; the theorem's model has no stop-gradient).</param>
/// <param name="GradClipNorm">Clip the gradient norm to this value; 0 disables clipping.</param>
/// <param name="RandomAuxDim">Output dimension of the random aux map in <see cref="TrainingMode.RandomAux"/>.</param>
/// <param name="LipschitzPenalty">
/// Weight of the product of the heads' spectral norms (an estimate of L_T·L_P) added to the joint loss, so that the
/// certificate, which divides by these constants, can certify (docs/certificate.md measures it); 0 trains the paper's
/// plain model.
/// </param>
/// <param name="StepCap">
/// With a certification goal (<see cref="PJepaTrainer.Train"/>'s <c>goal</c>), training continues past
/// <see cref="Steps"/> in quarters of it while more pairs are certified or their bounds rise, up to this many steps
/// (0: eight times <see cref="Steps"/>); it stops after eight extensions in a row without a new best. Not with <see cref="CosineSchedule"/>, whose budget is the schedule's length.
/// </param>
/// <param name="ImageEncoder">A convolutional encoder over image observations instead of the MLP (the paper's reference model), or null.</param>
/// <param name="TwoHot">
/// Train the aux head as the reference code does: logits over these bins, soft cross-entropy against the two-hot encoding of
/// symlog(aux) (a scalar aux only); null: the head regresses the aux with the squared error. L_p is then reported as the
/// KL divergence from the two-hot target (cross-entropy minus the target's entropy, 0 at a perfect fit). There is no
/// certificate for such a head (its output is a distribution, not an aux value).
/// </param>
/// <param name="DynWeight">c_dyn in <c>L = c_dyn · L_dyn + c_p · L_p</c> (the reference: 2 on the per-element mean, <see cref="Paper"/>).</param>
/// <param name="EncoderLearningRateScale">The encoder's step size relative to <see cref="LearningRate"/> (the reference: 0.3).</param>
/// <param name="AuxHiddenLayers">Hidden layers of the aux head (the reference: 2).</param>
/// <param name="Horizon">
/// Joint training (the ablations are one-step): each batch transition starts a walk of up to this many steps along observed transitions (seeded
/// random actions), walks along given words join the batch (<see cref="PJepaTrainer.Train"/>'s <c>words</c>), and the
/// model's own open-loop rollout along each walk is held to the encoded observation at every step and to its aux value
/// from the second step on (1: the one-step losses alone, the paper's model). The losses are zero exactly when the one-step losses are (the MDP
/// is deterministic), so the theorem's premise is the same; what it serves is the certificate's rollout clause, which
/// measures open-loop aux predictions along distinguishing words (docs/training.md measures it: one-step training on
/// an image gridworld with 12-step witnesses pulled pairs together as the losses fell; 8 certified it).
/// </param>
public sealed record PJepaConfig(
    TrainingMode Mode = TrainingMode.Joint,
    ulong Seed = 0,
    int Steps = 3000,
    int LatentDim = 32,
    int HiddenDim = 64,
    int EncoderHiddenLayers = 2,
    ActivationKind Activation = ActivationKind.Relu,
    bool LayerNorm = false,
    float AuxWeight = 1f,
    float LearningRate = 1e-3f,
    bool CosineSchedule = false,
    float WeightDecay = 0f,
    int BatchSize = 256,
    double LossTarget = 1e-4,
    int EvalEvery = 50,
    bool StopGradTarget = false,
    float GradClipNorm = 0f,
    int RandomAuxDim = 8,
    float LipschitzPenalty = 1e-4f,
    int StepCap = 0,
    ImageEncoderShape? ImageEncoder = null,
    TwoHotBins? TwoHot = null,
    float DynWeight = 1f,
    float EncoderLearningRateScale = 1f,
    int AuxHiddenLayers = 1,
    int Horizon = 8)
{
    /// <summary>
    /// The reference code's losses, coefficients and optimiser on top of <paramref name="baseline"/> (whose mode, seed,
    /// steps, encoder and stopping rules are kept): the transition <c>Linear(latent + actions → 512) → LayerNorm → Mish →
    /// Linear(→ latent)</c>, the aux head <c>2 × (Linear → 512, LayerNorm, Mish) → 101</c> two-hot logits on symlog [−10, 10],
    /// a 256-d latent, <c>2 · consistency + 2 · aux</c> where consistency is the mean squared error per latent element (so
    /// c_dyn = 2 / 256 on our per-row squared distance), Adam at 3e-4 with the encoder at 0.3×, gradient norm clipped at 200,
    /// batch 256, no Lipschitz penalty, no stop-gradient, one-step losses (<see cref="Horizon"/> 1). An MLP encoder gets the same LayerNorm and Mish in its hidden layers.
    /// </summary>
    public static PJepaConfig Paper(PJepaConfig baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        const int latent = 256;
        return baseline with
        {
            LatentDim = latent,
            HiddenDim = 512,
            Activation = ActivationKind.Mish,
            LayerNorm = true,
            AuxHiddenLayers = 2,
            TwoHot = new TwoHotBins(),
            DynWeight = 2f / latent,
            AuxWeight = 2f,
            LearningRate = 3e-4f,
            EncoderLearningRateScale = 0.3f,
            GradClipNorm = 200f,
            BatchSize = 256,
            LipschitzPenalty = 0f,
            StopGradTarget = false,
            CosineSchedule = false,
            WeightDecay = 0f,
            Horizon = 1,
        };
    }


    /// <summary>The horizon training uses: <see cref="Horizon"/> in joint training with a regression aux head, else 1 (the ablations and two-hot heads train one-step losses).</summary>
    public int EffectiveHorizon => Mode == TrainingMode.Joint && TwoHot is null ? Horizon : 1;

    /// <summary>The most steps a run with a certification goal may take: <see cref="StepCap"/>, or eight times <see cref="Steps"/>.</summary>
    public int EffectiveStepCap => Math.Max(Steps, StepCap > 0 ? StepCap : 8 * Steps);

    /// <summary>
    /// The widest latent or hidden layer (4,096): one limit for <c>train</c>, <c>check</c> configs and the library, checked
    /// before anything is built. A hidden layer of width h holds h² weights four times over (weights, gradients, Adam's two
    /// moments): 4,096 is 256 MiB a layer; 20,000 would be 6.4 GB.
    /// </summary>
    public const int MaxWidth = 4096;

    /// <summary>What a width above <see cref="MaxWidth"/> would cost: one square layer's weights four times over.</summary>
    private static string WidthCost(int width) =>
        width > MaxWidth ? $" (one {width:N0}-wide layer alone would need {4.0 * 4 * width * width / 1e9:0.#} GB: weights, gradients and Adam's two moments)" : "";

    /// <summary>Checks every field; returns the first problem as text, or null.</summary>
    public string? Problem()
    {
        return this switch
        {
            { Steps: < 0 } => $"steps must be >= 0, got {Steps}",
            { LatentDim: < 1 or > MaxWidth } => $"latent dimension must be 1 to {MaxWidth:N0}, got {LatentDim:N0}{WidthCost(LatentDim)}",
            { HiddenDim: < 1 or > MaxWidth } => $"hidden dimension must be 1 to {MaxWidth:N0}, got {HiddenDim:N0}{WidthCost(HiddenDim)}",
            { EncoderHiddenLayers: < 0 } => $"encoder hidden layers must be >= 0, got {EncoderHiddenLayers}",
            _ when !(AuxWeight >= 0) || !float.IsFinite(AuxWeight) => $"aux weight must be a finite number >= 0, got {AuxWeight}",
            _ when !(LearningRate > 0) || !float.IsFinite(LearningRate) => $"learning rate must be a finite number > 0, got {LearningRate}",
            _ when !(WeightDecay >= 0) || !float.IsFinite(WeightDecay) => $"weight decay must be a finite number >= 0, got {WeightDecay}",
            { BatchSize: < 1 } => $"batch size must be >= 1, got {BatchSize}",
            _ when !(LossTarget >= 0) || !double.IsFinite(LossTarget) => $"loss target must be a finite number >= 0, got {LossTarget}",
            { EvalEvery: < 1 } => $"evaluation interval must be >= 1, got {EvalEvery}",
            _ when !(GradClipNorm >= 0) || !float.IsFinite(GradClipNorm) => $"gradient clip norm must be a finite number >= 0, got {GradClipNorm}",
            { RandomAuxDim: < 1 } => $"random aux dimension must be >= 1, got {RandomAuxDim}",
            _ when !(LipschitzPenalty >= 0) || !float.IsFinite(LipschitzPenalty) => $"Lipschitz penalty must be a finite number >= 0, got {LipschitzPenalty}",
            { StepCap: < 0 } => $"step cap must be >= 0, got {StepCap}",
            { Horizon: < 1 or > 64 } => $"horizon must be between 1 and 64, got {Horizon}",
            _ when ImageEncoder?.Problem() is { } image => image,
            _ when TwoHot?.Problem() is { } bins => bins,
            _ when !(DynWeight >= 0) || !float.IsFinite(DynWeight) => $"dynamics weight must be a finite number >= 0, got {DynWeight}",
            _ when !(EncoderLearningRateScale > 0) || !float.IsFinite(EncoderLearningRateScale) => $"encoder learning-rate scale must be a finite number > 0, got {EncoderLearningRateScale}",
            { AuxHiddenLayers: < 0 or > 16 } => $"aux head hidden layers must be 0 to 16, got {AuxHiddenLayers}",
            _ => null,
        };
    }
}
