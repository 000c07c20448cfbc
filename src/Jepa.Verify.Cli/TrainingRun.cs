using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Cli;

/// <summary>One <c>train</c> run: the analysis of the aux trained on, the training result and the collapse report.</summary>
internal sealed record TrainingRun(Analysis Analysis, TrainingResult Result, CollapseReport Report)
{
    /// <summary>The collapse report, or null when training diverged and there are no trained latents to report on.</summary>
    public CollapseReport? Collapse => Result.Status == TrainingStatus.Diverged ? null : Report;
}
