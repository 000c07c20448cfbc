namespace Jepa.Verify.Cli;

/// <summary>A mistake in the command line (an unknown id, a bad option value); one line, exit code 2.</summary>
/// <param name="message">What is wrong and what to do.</param>
public sealed class UsageException(string message) : Exception(message);
