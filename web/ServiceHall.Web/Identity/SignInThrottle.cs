namespace ServiceHall.Web.Identity;

/// <summary>
/// Failed web sign-ins counted per typed clerk id and per client address, in a fixed window: once either has
/// <see cref="MaxFailures"/> failures within <see cref="Window"/>, further attempts on it are refused without checking the
/// secret (no PBKDF2 run) until its window has passed. The id is counted whether or not it exists, so the refusal tells
/// nothing about ids. In memory, per node process; at most <see cref="MaxKeys"/> keys (expired ones are dropped first).
/// The price: ten wrong guesses lock the clerk's id out for the window, from any address.
/// </summary>
public sealed class SignInThrottle(TimeProvider time)
{
    /// <summary>Failures that close a key.</summary>
    public const int MaxFailures = 10;

    /// <summary>Keys remembered at most.</summary>
    public const int MaxKeys = 10_000;

    /// <summary>How long a key's failures count.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, (int Failures, DateTimeOffset Since)> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>True if sign-ins as <paramref name="clerkId"/> or from <paramref name="address"/> are refused now.</summary>
    public bool IsClosed(string clerkId, string? address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return Closed(IdKey(clerkId), now) || (address is not null && Closed(AddressKey(address), now));
        }
    }

    /// <summary>Counts a failed sign-in as <paramref name="clerkId"/> from <paramref name="address"/>.</summary>
    public void Failed(string clerkId, string? address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_failures.Count >= MaxKeys)
            {
                foreach (var expired in _failures.Where(x => now - x.Value.Since >= Window).Select(x => x.Key).ToList())
                {
                    _failures.Remove(expired);
                }
            }

            Count(IdKey(clerkId), now);
            if (address is not null)
            {
                Count(AddressKey(address), now);
            }
        }
    }

    /// <summary>Forgets the failures of <paramref name="clerkId"/> after it signed in (the address keeps its count).</summary>
    public void Succeeded(string clerkId)
    {
        lock (_lock)
        {
            _failures.Remove(IdKey(clerkId));
        }
    }

    private bool Closed(string key, DateTimeOffset now) =>
        _failures.TryGetValue(key, out var f) && now - f.Since < Window && f.Failures >= MaxFailures;

    private void Count(string key, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var f))
        {
            if (_failures.Count >= MaxKeys)
            {
                return; // full of live keys: this one is not remembered
            }

            f = (0, now);
        }
        else if (now - f.Since >= Window)
        {
            f = (0, now);
        }

        _failures[key] = (f.Failures + 1, f.Since);
    }

    private static string IdKey(string clerkId) => "id:" + clerkId;

    private static string AddressKey(string address) => "address:" + address;
}
