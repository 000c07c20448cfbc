using Jepa.Verify.Testing.Generators;

namespace Jepa.Verify.Properties.Learning;

/// <summary>A model to certify on a random MDP: freshly initialised, briefly trained, or the exact quotient model.</summary>
/// <param name="Spec">The MDP.</param>
/// <param name="Kind">Which model.</param>
/// <param name="Seed">Seeds the model's initialisation and training.</param>
public sealed record CertificateCase(MdpSpec Spec, CertificateModelKind Kind, int Seed);
