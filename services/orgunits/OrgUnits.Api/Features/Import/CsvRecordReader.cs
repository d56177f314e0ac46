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

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
            var (complete, consumedAny) = await ReadRecordAsync(cancellationToken);
            if (!consumedAny && !complete)
            {
                return null;
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

    // Returns (ended by a line break, consumed at least one byte of this record).
    private async ValueTask<(bool Complete, bool ConsumedAny)> ReadRecordAsync(CancellationToken cancellationToken)
    {
        _record.Reset(_line);
        ResetCell();
        var state = State.CellStart;
        var consumedAny = false;
        while (true)
        {
            if (_position == _length)
            {
                _length = await stream.ReadAsync(_buffer, cancellationToken);
                _position = 0;
                if (_length == 0)
                {
                    if (!consumedAny)
                    {
                        return (false, false);
                    }

                    if (state == State.Quoted)
                    {
                        Fail("a quoted cell is not closed before the end of the file", _record.Fields.Count);
                    }

                    EndCell();
                    return (false, true);
                }
            }

            var b = _buffer[_position++];
            if (_afterCr)
            {
                _afterCr = false;
                if (b == (byte)'\n')
                {
                    // CR LF is one line break; inside quotes both bytes are content.
                    if (state == State.Quoted)
                    {
                        Append(b);
                    }

                    continue;
                }
            }

            consumedAny = true;
            if (b is (byte)'\r' or (byte)'\n')
            {
                _line++;
                _afterCr = b == (byte)'\r';
                if (state == State.Quoted)
                {
                    Append(b);
                    continue;
                }

                EndCell();
                return (true, true);
            }

            switch (state)
            {
                case State.CellStart when b == (byte)'"':
                    _record.AnyQuoted = true;
                    state = State.Quoted;
                    break;
                case State.CellStart or State.Unquoted when b == (byte)',':
                    EndCell();
                    state = State.CellStart;
                    break;
                case State.CellStart or State.Unquoted:
                    if (b == (byte)'"')
                    {
                        Fail("a quote inside a cell is only allowed when the whole cell is quoted (RFC 4180: write it as \"\")", _record.Fields.Count);
                    }

                    Append(b);
                    state = State.Unquoted;
                    break;
                case State.Quoted:
                    if (b == (byte)'"')
                    {
                        state = State.QuoteInQuoted;
                    }
                    else
                    {
                        Append(b);
                    }

                    break;
                case State.QuoteInQuoted when b == (byte)'"':
                    Append(b);
                    state = State.Quoted;
                    break;
                case State.QuoteInQuoted when b == (byte)',':
                    EndCell();
                    state = State.CellStart;
                    break;
                case State.QuoteInQuoted:
                    Fail("text follows the closing quote of a quoted cell", _record.Fields.Count);
                    Append(b);
                    state = State.Unquoted;
                    break;
            }
        }
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
            _record.Fields.Add(StrictUtf8.GetString(bytes));
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
