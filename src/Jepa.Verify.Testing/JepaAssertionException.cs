namespace Jepa.Verify.Testing;

/// <summary>
/// An assertion of this library failed. Test frameworks (xunit, NUnit, MSTest) report any exception
/// thrown from a test as a failure, so the library needs none of them. The message says what was
/// expected, what was found, and why (a witness, the closest collapsed pairs).
/// </summary>
/// <param name="message">What failed.</param>
public sealed class JepaAssertionException(string message) : Exception(message);
