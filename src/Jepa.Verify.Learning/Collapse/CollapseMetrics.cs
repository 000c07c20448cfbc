namespace Jepa.Verify.Learning.Collapse;

/// <summary>
/// The collapse metrics beside RankMe (<see cref="SpectralMetrics"/>): what researchers gate on today, none a guarantee.
/// </summary>
/// <param name="SRank">srank at δ = 1 %: singular values holding 99 % of their sum (0 for all-zero latents).</param>
/// <param name="AlphaReq">α-ReQ, the power-law decay of the covariance spectrum, or null (fewer than two non-zero eigenvalues).</param>
/// <param name="Lidar">LiDAR with the bisimulation classes as labels, or null (fewer than two classes, no classes, or latents wider than <see cref="SpectralMetrics.MaxLidarDim"/>).</param>
/// <param name="SeparationRatio">
/// The smallest distance between observations that must be apart over the largest distance between observations that
/// need not be (the widest class's diameter): above 1, every class fits in a ball that no other class reaches; null when
/// no pair may share a latent (every class has one member) or none must be apart.
/// </param>
/// <param name="ProbeAccuracy">
/// A linear probe of the class label, fitted and scored on all observations (<see cref="LatentProbe.Linear"/>): the share of
/// observations whose class one linear map reads off the latent; null without classes, with one class, or above
/// <see cref="SpectralMetrics.MaxProbeWork"/>.
/// </param>
public sealed record CollapseMetrics(int SRank, double? AlphaReq, double? Lidar, double? SeparationRatio, double? ProbeAccuracy);
