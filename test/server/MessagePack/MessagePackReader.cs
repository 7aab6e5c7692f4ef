using System.Buffers.Binary;
using System.Text;

namespace Hubwire.TestServer.MessagePack;

/// <summary>
/// A well-formed MessagePack value that cannot be converted to the requested .NET type (wrong kind,
/// out of range, ...). The protocol reports it as a binding failure; the connection stays up.
/// Malformed bytes, in contrast, throw <see cref="InvalidDataException"/> and close the connection.
/// </summary>
public sealed class MessagePackBindingException : Exception
{
    public MessagePackBindingException(string message) : base(message)
    {
    }
}

/// <summary>The family of a MessagePack value, decided by its first byte.</summary>
public enum MessagePackKind
{
    Nil,
    Boolean,
    Integer,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,
}

/// <summary>
/// Forward-only reader of MessagePack values over one contiguous buffer (one hub message).
/// Every read checks the remaining length and throws <see cref="InvalidDataException"/>
/// instead of reading past the end, so malformed input can never hang or overrun.
/// </summary>
/// <remarks>
/// Format reference: https://github.com/msgpack/msgpack/blob/master/spec.md. All multi-byte
/// numbers are big-endian.
/// </remarks>
public ref struct MessagePackReader
{
    /// <summary>Deepest nesting of arrays/maps accepted (guards the stack against hostile input).</summary>
    public const int MaxDepth = 256;

    /// <summary>Extension type of the MessagePack timestamp.</summary>
    public const sbyte TimestampExtensionType = -1;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public MessagePackReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public int Position => _position;

    public bool End => _position >= _buffer.Length;

    public int Remaining => _buffer.Length - _position;

    /// <summary>The bytes between two positions previously read from <see cref="Position"/>.</summary>
    public ReadOnlySpan<byte> Slice(int start, int end) => _buffer[start..end];

    // ----- inspection ------------------------------------------------------------------------

    public byte PeekCode()
    {
        if (_position >= _buffer.Length)
        {
            throw new InvalidDataException("Unexpected end of MessagePack data.");
        }

        return _buffer[_position];
    }

    public MessagePackKind PeekKind() => KindOf(PeekCode());

    public static MessagePackKind KindOf(byte code)
    {
        if (code <= 0x7f || code >= 0xe0)
        {
            return MessagePackKind.Integer; // positive / negative fixint
        }

        if (code <= 0x8f)
        {
            return MessagePackKind.Map;
        }

        if (code <= 0x9f)
        {
            return MessagePackKind.Array;
        }

        if (code <= 0xbf)
        {
            return MessagePackKind.String;
        }

        return code switch
        {
            0xc0 => MessagePackKind.Nil,
            0xc2 or 0xc3 => MessagePackKind.Boolean,
            0xc4 or 0xc5 or 0xc6 => MessagePackKind.Binary,
            0xc7 or 0xc8 or 0xc9 => MessagePackKind.Extension,
            0xca or 0xcb => MessagePackKind.Float,
            >= 0xcc and <= 0xd3 => MessagePackKind.Integer,
            >= 0xd4 and <= 0xd8 => MessagePackKind.Extension,
            0xd9 or 0xda or 0xdb => MessagePackKind.String,
            0xdc or 0xdd => MessagePackKind.Array,
            0xde or 0xdf => MessagePackKind.Map,
            _ => throw new InvalidDataException($"Invalid MessagePack code 0x{code:x2} (reserved, never used)."),
        };
    }

    public static string Describe(MessagePackKind kind) => kind switch
    {
        MessagePackKind.Nil => "nil",
        MessagePackKind.Boolean => "a boolean",
        MessagePackKind.Integer => "an integer",
        MessagePackKind.Float => "a float",
        MessagePackKind.String => "a string",
        MessagePackKind.Binary => "binary data",
        MessagePackKind.Array => "an array",
        MessagePackKind.Map => "a map",
        _ => "an extension value",
    };

    // ----- scalars ---------------------------------------------------------------------------

    /// <summary>Consumes a nil and returns true, or returns false and consumes nothing.</summary>
    public bool TryReadNil()
    {
        if (PeekCode() == 0xc0)
        {
            _position++;
            return true;
        }

        return false;
    }

    public bool ReadBoolean()
    {
        var code = ReadByte();
        return code switch
        {
            0xc2 => false,
            0xc3 => true,
            _ => throw Unexpected(code, "a boolean"),
        };
    }

    /// <summary>
    /// Reads any integer encoding. <paramref name="isLargeUnsigned"/> is true (and
    /// <paramref name="unsignedValue"/> is the value) only for a uint64 above <see cref="long.MaxValue"/>;
    /// otherwise the value is in <paramref name="signedValue"/>.
    /// </summary>
    public void ReadInteger(out long signedValue, out ulong unsignedValue, out bool isLargeUnsigned)
    {
        var code = ReadByte();
        unsignedValue = 0;
        isLargeUnsigned = false;
        switch (code)
        {
            case <= 0x7f:
                signedValue = code;
                return;
            case >= 0xe0:
                signedValue = (sbyte)code;
                return;
            case 0xcc:
                signedValue = ReadBytes(1)[0];
                return;
            case 0xcd:
                signedValue = BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2));
                return;
            case 0xce:
                signedValue = BinaryPrimitives.ReadUInt32BigEndian(ReadBytes(4));
                return;
            case 0xcf:
                var u = BinaryPrimitives.ReadUInt64BigEndian(ReadBytes(8));
                if (u > long.MaxValue)
                {
                    signedValue = 0;
                    unsignedValue = u;
                    isLargeUnsigned = true;
                }
                else
                {
                    signedValue = (long)u;
                }

                return;
            case 0xd0:
                signedValue = (sbyte)ReadBytes(1)[0];
                return;
            case 0xd1:
                signedValue = BinaryPrimitives.ReadInt16BigEndian(ReadBytes(2));
                return;
            case 0xd2:
                signedValue = BinaryPrimitives.ReadInt32BigEndian(ReadBytes(4));
                return;
            case 0xd3:
                signedValue = BinaryPrimitives.ReadInt64BigEndian(ReadBytes(8));
                return;
            default:
                throw Unexpected(code, "an integer");
        }
    }

    /// <summary>Reads an integer that must fit in a <see cref="long"/>.</summary>
    public long ReadInt64()
    {
        ReadInteger(out var signed, out var unsigned, out var large);
        if (large)
        {
            throw new InvalidDataException($"The integer {unsigned} does not fit in System.Int64.");
        }

        return signed;
    }

    /// <summary>Reads a float32 or float64 (widened to double).</summary>
    public double ReadFloat()
    {
        var code = ReadByte();
        return code switch
        {
            0xca => BinaryPrimitives.ReadSingleBigEndian(ReadBytes(4)),
            0xcb => BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)),
            _ => throw Unexpected(code, "a float"),
        };
    }

    /// <summary>The UTF-8 bytes of a str value (no copy).</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        var code = ReadByte();
        int length = code switch
        {
            >= 0xa0 and <= 0xbf => code & 0x1f,
            0xd9 => ReadBytes(1)[0],
            0xda => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2)),
            0xdb => ReadLength32(),
            _ => throw Unexpected(code, "a string"),
        };
        return ReadBytes(length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    /// <summary>Reads nil (as null) or a string.</summary>
    public string? ReadNullableString() => TryReadNil() ? null : ReadString();

    /// <summary>The bytes of a bin value (no copy).</summary>
    public ReadOnlySpan<byte> ReadBinaryBytes()
    {
        var code = ReadByte();
        int length = code switch
        {
            0xc4 => ReadBytes(1)[0],
            0xc5 => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2)),
            0xc6 => ReadLength32(),
            _ => throw Unexpected(code, "binary data"),
        };
        return ReadBytes(length);
    }

    /// <summary>Reads an extension value's header and returns its payload (no copy).</summary>
    public ReadOnlySpan<byte> ReadExtension(out sbyte type)
    {
        var code = ReadByte();
        int length = code switch
        {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => ReadBytes(1)[0],
            0xc8 => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2)),
            0xc9 => ReadLength32(),
            _ => throw Unexpected(code, "an extension value"),
        };
        type = (sbyte)ReadBytes(1)[0];
        return ReadBytes(length);
    }

    /// <summary>
    /// Decodes the payload of a timestamp extension (type -1): 4 bytes = uint32 seconds,
    /// 8 bytes = 30-bit nanoseconds + 34-bit seconds, 12 bytes = uint32 nanoseconds + int64 seconds.
    /// </summary>
    public static DateTime DecodeTimestamp(ReadOnlySpan<byte> payload)
    {
        long seconds;
        uint nanoseconds;
        switch (payload.Length)
        {
            case 4:
                seconds = BinaryPrimitives.ReadUInt32BigEndian(payload);
                nanoseconds = 0;
                break;
            case 8:
                var packed = BinaryPrimitives.ReadUInt64BigEndian(payload);
                nanoseconds = (uint)(packed >> 34);
                seconds = (long)(packed & 0x3_FFFF_FFFFUL);
                break;
            case 12:
                nanoseconds = BinaryPrimitives.ReadUInt32BigEndian(payload);
                seconds = BinaryPrimitives.ReadInt64BigEndian(payload[4..]);
                break;
            default:
                throw new InvalidDataException($"A timestamp extension must be 4, 8 or 12 bytes long, not {payload.Length}.");
        }

        if (nanoseconds >= 1_000_000_000)
        {
            throw new InvalidDataException($"Invalid timestamp: {nanoseconds} nanoseconds (must be below 1e9).");
        }

        const long minSeconds = -62_135_596_800L; // 0001-01-01T00:00:00Z
        const long maxSeconds = 253_402_300_799L; // 9999-12-31T23:59:59Z
        if (seconds < minSeconds || seconds > maxSeconds)
        {
            throw new MessagePackBindingException($"The timestamp {seconds} s is outside the range of System.DateTime.");
        }

        // Sub-100 ns precision is dropped (DateTime counts 100 ns ticks).
        var ticks = DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    // ----- containers --------------------------------------------------------------------------

    public int ReadArrayHeader()
    {
        var code = ReadByte();
        int count = code switch
        {
            >= 0x90 and <= 0x9f => code & 0x0f,
            0xdc => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2)),
            0xdd => ReadLength32(),
            _ => throw Unexpected(code, "an array"),
        };

        // Each element takes at least one byte: a larger count cannot be honest.
        if (count > Remaining)
        {
            throw new InvalidDataException($"Array header announces {count} elements but only {Remaining} bytes remain.");
        }

        return count;
    }

    public int ReadMapHeader()
    {
        var code = ReadByte();
        int count = code switch
        {
            >= 0x80 and <= 0x8f => code & 0x0f,
            0xde => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2)),
            0xdf => ReadLength32(),
            _ => throw Unexpected(code, "a map"),
        };

        if ((long)count * 2 > Remaining)
        {
            throw new InvalidDataException($"Map header announces {count} entries but only {Remaining} bytes remain.");
        }

        return count;
    }

    /// <summary>Skips one complete value (containers included).</summary>
    public void Skip(int depth = 0)
    {
        switch (PeekKind())
        {
            case MessagePackKind.Nil:
            case MessagePackKind.Boolean:
                _position++;
                break;
            case MessagePackKind.Integer:
                ReadInteger(out _, out _, out _);
                break;
            case MessagePackKind.Float:
                ReadFloat();
                break;
            case MessagePackKind.String:
                ReadStringBytes();
                break;
            case MessagePackKind.Binary:
                ReadBinaryBytes();
                break;
            case MessagePackKind.Extension:
                ReadExtension(out _);
                break;
            case MessagePackKind.Array:
                CheckDepth(depth);
                var items = ReadArrayHeader();
                for (var i = 0; i < items; i++)
                {
                    Skip(depth + 1);
                }

                break;
            case MessagePackKind.Map:
                CheckDepth(depth);
                var entries = ReadMapHeader();
                for (var i = 0; i < entries; i++)
                {
                    Skip(depth + 1);
                    Skip(depth + 1);
                }

                break;
        }
    }

    public static void CheckDepth(int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new InvalidDataException($"MessagePack data is nested more than {MaxDepth} levels deep.");
        }
    }

    // ----- raw access ----------------------------------------------------------------------------

    private byte ReadByte()
    {
        if (_position >= _buffer.Length)
        {
            throw new InvalidDataException("Unexpected end of MessagePack data.");
        }

        return _buffer[_position++];
    }

    private ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _buffer.Length - _position)
        {
            throw new InvalidDataException(
                $"Unexpected end of MessagePack data: {count} bytes needed, {_buffer.Length - _position} available.");
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    /// <summary>A 32-bit length; anything beyond what is left in the buffer is rejected by the caller's read.</summary>
    private int ReadLength32()
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(ReadBytes(4));
        if (length > int.MaxValue)
        {
            throw new InvalidDataException($"MessagePack length {length} is too large.");
        }

        return (int)length;
    }

    private readonly InvalidDataException Unexpected(byte code, string expected)
    {
        var found = code == 0xc1 ? "the reserved code 0xc1" : Describe(KindOf(code)) + $" (code 0x{code:x2})";
        return new InvalidDataException($"Expected {expected} but found {found} at offset {_position - 1}.");
    }
}
