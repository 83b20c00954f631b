using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Google.Protobuf;

namespace ServiceHall.Sync.Engine;

/// <summary>Storage class of one value in an encoded row (the <c>Value</c> message's oneof, or none).</summary>
public enum RowValueKind : byte
{
    /// <summary>SQL NULL: a <c>Value</c> with no field set.</summary>
    Null = 0,

    /// <summary>64-bit integer (<c>Value.int</c>, zigzag varint).</summary>
    Int = 1,

    /// <summary>IEEE double (<c>Value.real</c>, fixed64).</summary>
    Real = 2,

    /// <summary>UTF-8 text (<c>Value.text</c>).</summary>
    Text = 3,

    /// <summary>Bytes (<c>Value.blob</c>).</summary>
    Blob = 4,
}

/// <summary>
/// One decoded value of an encoded row. Text and blob values are not copied: <see cref="Start"/> and
/// <see cref="Length"/> locate their bytes in the row buffer the value was decoded from.
/// </summary>
public readonly record struct RowField(RowValueKind Kind, long Int, double Real, int Start, int Length)
{
    /// <summary>The UTF-8 text or blob bytes of this value within <paramref name="row"/>.</summary>
    public ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> row) => row.Slice(Start, Length);

    /// <summary>The value as a CLR object: <see cref="DBNull"/>, long, double, string or byte[].</summary>
    public object ToObject(ReadOnlySpan<byte> row) => Kind switch
    {
        RowValueKind.Int => Int,
        RowValueKind.Real => Real,
        RowValueKind.Text => Encoding.UTF8.GetString(Bytes(row)),
        RowValueKind.Blob => Bytes(row).ToArray(),
        _ => DBNull.Value,
    };
}

/// <summary>
/// The wire form of a row's values (<c>Change.row</c>): the bytes of a serialized protobuf <c>Row</c> message,
/// i.e. for every column a length-delimited field 1 holding one <c>Value</c> (field 1 sint64, 2 double,
/// 3 string, 4 bytes, or nothing for NULL). Any protobuf library can read it by parsing <c>Row</c>; this engine
/// writes it straight from SQLite's column bytes and reads it without creating an object per value, which is
/// what relaying and applying rows at tens of thousands per second needs.
/// </summary>
public static class RowCodec
{
    private const byte RowValueTag = (1 << 3) | 2; // Row.values = 1, length-delimited
    private const byte IntTag = (1 << 3) | 0;      // Value.int = 1, varint (zigzag)
    private const byte RealTag = (2 << 3) | 1;     // Value.real = 2, fixed64
    private const byte TextTag = (3 << 3) | 2;     // Value.text = 3, length-delimited
    private const byte BlobTag = (4 << 3) | 2;     // Value.blob = 4, length-delimited

    /// <summary>Encodes CLR values (null/DBNull, integers, bool, double, float, decimal, string, byte[]) as a row.</summary>
    /// <exception cref="ArgumentException">A value of a type that has no storage class.</exception>
    public static ByteString Encode(IEnumerable<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var writer = new RowWriter();
        foreach (var v in values)
        {
            if (!writer.TryWriteValue(v))
            {
                throw new ArgumentException($"Cannot encode a value of type {v!.GetType().Name} in a row.", nameof(values));
            }
        }

        return writer.ToByteString();
    }

    /// <summary>Decodes a row into CLR values (<see cref="DBNull"/>, long, double, string, byte[]).</summary>
    /// <exception cref="FormatException">The bytes are not a well-formed row.</exception>
    public static object[] Decode(ReadOnlySpan<byte> row)
    {
        var fields = new RowField[Count(row)];
        Decode(row, fields);
        var values = new object[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            values[i] = fields[i].ToObject(row);
        }

        return values;
    }

    /// <summary>Number of values in a well-formed row.</summary>
    /// <exception cref="FormatException">The bytes are not a well-formed row.</exception>
    public static int Count(ReadOnlySpan<byte> row)
    {
        var count = 0;
        var pos = 0;
        while (pos < row.Length)
        {
            ReadValue(row, ref pos);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Decodes a row into <paramref name="fields"/> without allocating; returns the number of values. Text is
    /// checked to be valid UTF-8.
    /// </summary>
    /// <exception cref="FormatException">Malformed bytes, invalid UTF-8, or more values than <paramref name="fields"/> holds.</exception>
    public static int Decode(ReadOnlySpan<byte> row, Span<RowField> fields)
    {
        var count = 0;
        var pos = 0;
        while (pos < row.Length)
        {
            if (count == fields.Length)
            {
                throw new FormatException($"The row has more than {fields.Length} values.");
            }

            fields[count++] = ReadValue(row, ref pos);
        }

        return count;
    }

    private static RowField ReadValue(ReadOnlySpan<byte> row, ref int pos)
    {
        if (row[pos++] != RowValueTag)
        {
            throw Malformed("a value");
        }

        var length = ReadLength(row, ref pos);
        var end = pos + length;
        if (length == 0)
        {
            return new RowField(RowValueKind.Null, 0, 0, 0, 0);
        }

        var tag = row[pos++];
        RowField field;
        switch (tag)
        {
            case IntTag:
                var zigzag = ReadVarint(row, ref pos);
                field = new RowField(RowValueKind.Int, (long)(zigzag >> 1) ^ -(long)(zigzag & 1), 0, 0, 0);
                break;
            case RealTag:
                if (pos + 8 > row.Length)
                {
                    throw Malformed("a real value");
                }

                field = new RowField(RowValueKind.Real, 0, BinaryPrimitives.ReadDoubleLittleEndian(row.Slice(pos, 8)), 0, 0);
                pos += 8;
                break;
            case TextTag or BlobTag:
                var n = ReadLength(row, ref pos);
                if (tag == TextTag && !Utf8.IsValid(row.Slice(pos, n)))
                {
                    throw new FormatException("A text value of the row is not valid UTF-8.");
                }

                field = new RowField(tag == TextTag ? RowValueKind.Text : RowValueKind.Blob, 0, 0, pos, n);
                pos += n;
                break;
            default:
                throw Malformed("a value's field");
        }

        if (pos != end)
        {
            throw Malformed("a value (its length does not match its field)");
        }

        return field;
    }

    private static int ReadLength(ReadOnlySpan<byte> row, ref int pos)
    {
        var length = ReadVarint(row, ref pos);
        if (length > (ulong)(row.Length - pos))
        {
            throw Malformed("a length");
        }

        return (int)length;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> row, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= row.Length)
            {
                throw Malformed("a varint");
            }

            var b = row[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw Malformed("a varint");
    }

    private static FormatException Malformed(string what) => new($"Malformed row: {what} is cut short or not what the Row message allows.");
}

/// <summary>
/// Writes the values of one row in the <see cref="RowCodec"/> form into a reusable buffer, straight from bytes
/// (e.g. SQLite's column text), so reading a batch does not create an object per value.
/// </summary>
public sealed class RowWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    /// <summary>
    /// Appends a CLR value by its type (null/DBNull, integers, bool, double, float, decimal, string, byte[]); false, and
    /// nothing written, for a type that has no storage class.
    /// </summary>
    public bool TryWriteValue(object? value)
    {
        switch (value)
        {
            case null or DBNull:
                WriteNull();
                break;
            case string s:
                WriteText(Encoding.UTF8.GetBytes(s));
                break;
            case long l:
                WriteInt(l);
                break;
            case int i:
                WriteInt(i);
                break;
            case short i:
                WriteInt(i);
                break;
            case byte i:
                WriteInt(i);
                break;
            case bool b:
                WriteInt(b ? 1 : 0);
                break;
            case double d:
                WriteReal(d);
                break;
            case float f:
                WriteReal(f);
                break;
            case decimal m:
                WriteReal((double)m);
                break;
            case byte[] bytes:
                WriteBlob(bytes);
                break;
            default:
                return false;
        }

        return true;
    }

    /// <summary>Appends a NULL.</summary>
    public void WriteNull()
    {
        var span = _buffer.GetSpan(2);
        span[0] = (1 << 3) | 2;
        span[1] = 0;
        _buffer.Advance(2);
    }

    /// <summary>Appends an integer.</summary>
    public void WriteInt(long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        var inner = 1 + VarintSize(zigzag);
        var span = _buffer.GetSpan(2 + inner);
        span[0] = (1 << 3) | 2;
        span[1] = (byte)inner; // at most 11: one byte
        span[2] = (1 << 3) | 0;
        WriteVarint(span[3..], zigzag);
        _buffer.Advance(2 + inner);
    }

    /// <summary>Appends a double.</summary>
    public void WriteReal(double value)
    {
        var span = _buffer.GetSpan(11);
        span[0] = (1 << 3) | 2;
        span[1] = 9;
        span[2] = (2 << 3) | 1;
        BinaryPrimitives.WriteDoubleLittleEndian(span[3..], value);
        _buffer.Advance(11);
    }

    /// <summary>Appends UTF-8 text (the caller vouches for its validity, e.g. bytes SQLite holds as text).</summary>
    public void WriteText(ReadOnlySpan<byte> utf8) => WriteBytes((3 << 3) | 2, utf8);

    /// <summary>Appends a blob.</summary>
    public void WriteBlob(ReadOnlySpan<byte> bytes) => WriteBytes((4 << 3) | 2, bytes);

    /// <summary>The row written so far, copied out; the writer is cleared for the next row.</summary>
    public ByteString ToByteString()
    {
        var result = ByteString.CopyFrom(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        return result;
    }

    private void WriteBytes(byte tag, ReadOnlySpan<byte> bytes)
    {
        var lengthSize = VarintSize((ulong)bytes.Length);
        var inner = 1 + lengthSize + bytes.Length;
        var innerSize = VarintSize((ulong)inner);
        var span = _buffer.GetSpan(1 + innerSize + inner);
        span[0] = (1 << 3) | 2;
        var pos = 1 + WriteVarint(span[1..], (ulong)inner);
        span[pos++] = tag;
        pos += WriteVarint(span[pos..], (ulong)bytes.Length);
        bytes.CopyTo(span[pos..]);
        _buffer.Advance(pos + bytes.Length);
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static int WriteVarint(Span<byte> span, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }
}
