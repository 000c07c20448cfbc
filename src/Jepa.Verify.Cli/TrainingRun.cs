using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Cli;

/// <summary>One <c>train</c> run: the analysis of the aux trained on, the training result and the collapse report.</summary>
internal sealed record TrainingRun(Analysis Analysis, TrainingResult Result, CollapseReport Report);
