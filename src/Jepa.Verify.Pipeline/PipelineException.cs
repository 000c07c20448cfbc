namespace Jepa.Verify.Pipeline;

/// <summary>
/// An input a pipeline stage cannot run on (an MDP with no transitions to train on, more observations than the
/// collapse analysis compares, an aux tolerance that overflows): one line saying what and what to do; the command line
/// reports it with exit code 2.
/// </summary>
/// <param name="message">What is wrong and what to do.</param>
public sealed class PipelineException(string message) : Exception(message);
