namespace Jepa.Verify.Mdp.Conditions;

/// <summary>One offending item in a condition report, e.g. <c>s3 --inc--> {s4, s5}</c>, with its place.</summary>
/// <param name="Text">What is wrong, in words.</param>
/// <param name="Location">Where it is in the input.</param>
public sealed record ConditionItem(string Text, SourceLocation Location);
