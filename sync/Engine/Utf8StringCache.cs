using System.Text;

namespace ServiceHall.Sync.Engine;

/// <summary>
/// Turns UTF-8 bytes into strings, reusing the string for bytes seen recently. A batch names the same few
/// tables, origins and scopes thousands of times; decoding each occurrence made a new string every time.
/// Small and linear on purpose: a handful of distinct values per batch, compared by their bytes.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int Capacity = 16;
    private readonly byte[][] _bytes = new byte[Capacity][];
    private readonly string[] _strings = new string[Capacity];
    private int _count;
    private int _next;

    /// <summary>The string of <paramref name="utf8"/>, shared with earlier calls for the same bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < _count; i++)
        {
            if (utf8.SequenceEqual(_bytes[i]))
            {
                return _strings[i];
            }
        }

        var s = Encoding.UTF8.GetString(utf8);
        _bytes[_next] = utf8.ToArray();
        _strings[_next] = s;
        _next = (_next + 1) % Capacity;
        _count = Math.Max(_count, _next == 0 ? Capacity : _next);
        return s;
    }
}
