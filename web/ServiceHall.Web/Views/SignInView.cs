using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Views;

/// <summary>The sign-in page's model: what was typed (never the secret) and what was wrong with it.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="ClerkId">The clerk id as typed.</param>
/// <param name="ReturnUrl">Where to go once signed in.</param>
/// <param name="Errors">Field → messages (<see cref="ClerkSignIn"/>'s keys).</param>
public sealed record SignInView(Desk Desk, string? ClerkId, string? ReturnUrl, FormErrors Errors);
