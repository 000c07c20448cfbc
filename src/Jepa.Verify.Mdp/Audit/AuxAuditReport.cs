namespace Jepa.Verify.Mdp.Audit;

/// <summary>The audit of one auxiliary function: what aux alone separates, and what the dynamics add.</summary>
/// <param name="AuxName">The aux function's source (the MDP file or a side file).</param>
/// <param name="AuxOnly">The grouping by aux value alone (what <c>L_p</c> alone forces).</param>
/// <param name="Bisimulation">The bisimulation classes or finite-data relation (what <c>L_p + L_dyn</c> force).</param>
public sealed record AuxAuditReport(string AuxName, GroupingAudit AuxOnly, GroupingAudit Bisimulation);
