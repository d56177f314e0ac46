using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Microservices.OrgUnits.Api.Features.Import;

/// <summary>One CSV record; <see cref="Line"/> is the physical line it starts on (the header is line 1).</summary>
internal sealed class CsvRecord
{
    public long Line { get; set; }

    public List<string> Fields { get; } = [];

    /// <summary>Why the record is unusable, or null.</summary>
    public string? Error { get; set; }

    /// <summary>The 0-based cell the error is in, when it is about one cell.</summary>
    public int? ErrorField { get; set; }

    internal bool AnyQuoted { get; set; }

    internal void Reset(long line)
    {
        Line = line;
        Fields.Clear();
        Error = null;
        ErrorField = null;
        AnyQuoted = false;
    }
}

/// <summary>
/// An RFC 4180 reader over a UTF-8 byte stream that never holds more than one buffer and one record. It works on
/// bytes: the structural characters (comma, quote, CR, LF) are ASCII and never occur inside a multi-byte UTF-8
/// sequence, so each cell is cut out first and then checked as UTF-8 on its own, which gives bad bytes a line number.
/// Accepted beyond the RFC: LF or lone CR line ends, an optional BOM, blank lines (skipped). A malformed record
/// carries an <see cref="CsvRecord.Error"/> and reading resumes at the next record.
/// </summary>
internal sealed class CsvRecordReader(Stream stream, int maxCellBytes = 16 * 1024, int maxCells = 64)
{
    private enum State
    {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    private static readonly SearchValues<byte> _unquotedStops = SearchValues.Create(",\"\r\n"u8);
    private static readonly SearchValues<byte> _quotedStops = SearchValues.Create("\"\r\n"u8);
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly CsvRecord _record = new();
    private byte[] _cell = new byte[256];
    private int _cellLength;
    private bool _cellTooLong;
    private int _position;
    private int _length;
    private bool _started;
    private bool _afterCr;
    private long _line = 1;
    private State _state;
    private bool _consumedAny;

    /// <summary>The next record, or null at the end. The same instance is reused: read it before the next call.</summary>
    public async ValueTask<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            _length = await stream.ReadAtLeastAsync(_buffer, 3, throwOnEndOfStream: false, cancellationToken);
            if (_length >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
            {
                _position = 3;
            }
        }

        while (true)
        {
            StartRecord();
            bool complete;
            while (!(complete = Scan()))
            {
                // The buffer ran out mid-record: the only await, once per buffer, never per byte.
                _length = await stream.ReadAsync(_buffer, cancellationToken);
                _position = 0;
                if (_length == 0)
                {
                    break;
                }
            }

            if (!complete)
            {
                if (!_consumedAny)
                {
                    return null;
                }

                if (_state == State.Quoted)
                {
                    Fail("a quoted cell is not closed before the end of the file", _record.Fields.Count);
                }

                EndCell();
            }

            var blank = _record.Fields.Count == 1 && _record.Fields[0].Length == 0 && !_record.AnyQuoted && _record.Error is null;
            if (!blank)
            {
                return _record;
            }

            if (!complete)
            {
                return null;
            }
        }
    }

    private void StartRecord()
    {
        _record.Reset(_line);
        ResetCell();
        _state = State.CellStart;
        _consumedAny = false;
    }

    /// <summary>Consumes buffered bytes; true when a line break ended the record, false when the buffer ran out first.</summary>
    private bool Scan()
    {
        while (_position < _length)
        {
            if (_afterCr)
            {
                _afterCr = false;
                if (_buffer[_position] == (byte)'\n')
                {
                    // CR LF is one line break; inside quotes both bytes are content.
                    if (_state == State.Quoted)
                    {
                        Append((byte)'\n');
                    }

                    _position++;
                    continue;
                }
            }

            // Plain cell content is copied in runs up to the next byte that matters (vectorised search).
            if (_state is State.Unquoted or State.Quoted)
            {
                var rest = _buffer.AsSpan(_position, _length - _position);
                var run = rest.IndexOfAny(_state == State.Quoted ? _quotedStops : _unquotedStops);
                if (run != 0)
                {
                    var content = run < 0 ? rest : rest[..run];
                    Append(content);
                    _consumedAny = true;
                    _position += content.Length;
                    continue;
                }
            }

            var b = _buffer[_position++];
            _consumedAny = true;
            if (b is (byte)'\r' or (byte)'\n')
            {
                _line++;
                _afterCr = b == (byte)'\r';
                if (_state == State.Quoted)
                {
                    Append(b);
                    continue;
                }

                EndCell();
                return true;
            }

            switch (_state)
            {
                case State.CellStart when b == (byte)'"':
                    _record.AnyQuoted = true;
                    _state = State.Quoted;
                    break;
                case State.CellStart or State.Unquoted when b == (byte)',':
                    EndCell();
                    _state = State.CellStart;
                    break;
                case State.CellStart or State.Unquoted:
                    if (b == (byte)'"')
                    {
                        Fail("a quote inside a cell is only allowed when the whole cell is quoted (RFC 4180: write it as \"\")", _record.Fields.Count);
                    }

                    Append(b);
                    _state = State.Unquoted;
                    break;
                case State.Quoted:
                    _state = State.QuoteInQuoted;
                    break;
                case State.QuoteInQuoted when b == (byte)'"':
                    Append(b);
                    _state = State.Quoted;
                    break;
                case State.QuoteInQuoted when b == (byte)',':
                    EndCell();
                    _state = State.CellStart;
                    break;
                case State.QuoteInQuoted:
                    Fail("text follows the closing quote of a quoted cell", _record.Fields.Count);
                    Append(b);
                    _state = State.Unquoted;
                    break;
            }
        }

        return false;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var room = maxCellBytes - _cellLength;
        if (bytes.Length > room)
        {
            _cellTooLong = true;
            bytes = bytes[..room];
        }

        if (_cellLength + bytes.Length > _cell.Length)
        {
            Array.Resize(ref _cell, Math.Min(Math.Max(_cell.Length * 2, _cellLength + bytes.Length), maxCellBytes));
        }

        bytes.CopyTo(_cell.AsSpan(_cellLength));
        _cellLength += bytes.Length;
    }

    private void Append(byte b)
    {
        if (_cellLength == maxCellBytes)
        {
            _cellTooLong = true;
            return;
        }

        if (_cellLength == _cell.Length)
        {
            Array.Resize(ref _cell, Math.Min(_cell.Length * 2, maxCellBytes));
        }

        _cell[_cellLength++] = b;
    }

    private void EndCell()
    {
        var index = _record.Fields.Count;
        if (index == maxCells)
        {
            Fail($"a row has more than {maxCells} cells", null);
            ResetCell();
            return;
        }

        var bytes = _cell.AsSpan(0, _cellLength);
        if (_cellTooLong)
        {
            Fail($"a cell is longer than {maxCellBytes} bytes", index);
            _record.Fields.Add(string.Empty);
        }
        else if (!Utf8.IsValid(bytes))
        {
            Fail("the cell is not valid UTF-8", index);
            _record.Fields.Add(string.Empty);
        }
        else
        {
            _record.Fields.Add(bytes.IsEmpty ? string.Empty : _strictUtf8.GetString(bytes));
        }

        ResetCell();
    }

    private void ResetCell()
    {
        _cellLength = 0;
        _cellTooLong = false;
    }

    private void Fail(string error, int? cell)
    {
        if (_record.Error is null)
        {
            _record.Error = error;
            _record.ErrorField = cell;
        }
    }
}
