namespace FlowTune.IO;

/// <summary>
/// The five PNG scanline filters (type 0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth), applied to and removed from one
/// row. <c>bpp</c> is the number of bytes per complete pixel (rounded up to 1), <c>previous</c> the unfiltered row
/// above (all zeros for the first row).
/// </summary>
internal static class PngFilters
{
    /// <summary>Number of filter types defined by the PNG specification.</summary>
    public const int Count = 5;

    /// <summary>Reverses <paramref name="filterType"/> on <paramref name="row"/> in place.</summary>
    /// <exception cref="InvalidDataException">The filter type is not 0–4.</exception>
    public static void Unfilter(int filterType, Span<byte> row, ReadOnlySpan<byte> previous, int bpp, int rowIndex)
    {
        switch (filterType)
        {
            case 0:
                break;
            case 1:
                for (int i = bpp; i < row.Length; i++)
                {
                    row[i] = (byte)(row[i] + row[i - bpp]);
                }

                break;
            case 2:
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = (byte)(row[i] + previous[i]);
                }

                break;
            case 3:
                for (int i = 0; i < row.Length; i++)
                {
                    int left = i >= bpp ? row[i - bpp] : 0;
                    row[i] = (byte)(row[i] + ((left + previous[i]) >> 1));
                }

                break;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    int left = i >= bpp ? row[i - bpp] : 0;
                    int upLeft = i >= bpp ? previous[i - bpp] : 0;
                    row[i] = (byte)(row[i] + Paeth(left, previous[i], upLeft));
                }

                break;
            default:
                throw new InvalidDataException($"PNG row {rowIndex} has filter type {filterType}; only 0–4 exist.");
        }
    }

    /// <summary>Writes <paramref name="raw"/> filtered with <paramref name="filterType"/> into <paramref name="output"/>.</summary>
    public static void Filter(int filterType, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> previous, int bpp, Span<byte> output)
    {
        for (int i = 0; i < raw.Length; i++)
        {
            int left = i >= bpp ? raw[i - bpp] : 0;
            int up = previous[i];
            int upLeft = i >= bpp ? previous[i - bpp] : 0;
            int predictor = filterType switch
            {
                0 => 0,
                1 => left,
                2 => up,
                3 => (left + up) >> 1,
                4 => Paeth(left, up, upLeft),
                _ => throw new ArgumentOutOfRangeException(nameof(filterType), filterType, "PNG filter types are 0–4."),
            };
            output[i] = (byte)(raw[i] - predictor);
        }
    }

    /// <summary>The Paeth predictor of the PNG specification.</summary>
    public static int Paeth(int left, int up, int upLeft)
    {
        int p = left + up - upLeft;
        int pa = Math.Abs(p - left);
        int pb = Math.Abs(p - up);
        int pc = Math.Abs(p - upLeft);
        if (pa <= pb && pa <= pc)
        {
            return left;
        }

        return pb <= pc ? up : upLeft;
    }
}
