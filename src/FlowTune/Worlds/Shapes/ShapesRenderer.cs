using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Renders a <see cref="Scene"/>: a dark, mildly textured background (smooth waves plus pixel noise, drawn from
/// the seed) and anti-aliased objects (each pixel is covered by <see cref="Supersampling"/>² sub-samples, and the
/// covered fraction blends the palette colour over the background). Same scene and seed give the same bytes.
/// </summary>
public static class ShapesRenderer
{
    /// <summary>Sub-samples per pixel side used for anti-aliasing.</summary>
    public const int Supersampling = 4;

    /// <summary>Renders a scene.</summary>
    /// <param name="scene">The scene.</param>
    /// <param name="seed">Seed of the background texture and pixel noise.</param>
    public static RgbImage Render(Scene scene, int seed)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var random = new Random(seed);
        RgbImage image = BackgroundTexture.Create(scene.Height, scene.Width, random);
        foreach (SceneObject obj in scene.Objects)
        {
            DrawObject(image, obj);
        }

        BackgroundTexture.AddPixelNoise(image, random);
        return image.ClampInPlace();
    }

    private static void DrawObject(RgbImage image, SceneObject obj)
    {
        (float red, float green, float blue) = ShapeVocabulary.Rgb(obj.Color);
        int x0 = Math.Max(0, (int)Math.Floor(obj.Left));
        int x1 = Math.Min(image.Width - 1, (int)Math.Ceiling(obj.Right));
        int y0 = Math.Max(0, (int)Math.Floor(obj.Top));
        int y1 = Math.Min(image.Height - 1, (int)Math.Ceiling(obj.Bottom));
        int plane = image.PlaneSize;
        float[] data = image.Data;
        const int n = Supersampling;
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                int covered = 0;
                for (int sy = 0; sy < n; sy++)
                {
                    double dy = y + ((sy + 0.5) / n) - obj.CenterY;
                    for (int sx = 0; sx < n; sx++)
                    {
                        double dx = x + ((sx + 0.5) / n) - obj.CenterX;
                        if (ShapeGeometry.Contains(obj.Shape, dx, dy, obj.Size))
                        {
                            covered++;
                        }
                    }
                }

                if (covered == 0)
                {
                    continue;
                }

                float alpha = covered / (float)(n * n);
                int i = (y * image.Width) + x;
                data[i] += alpha * (red - data[i]);
                data[plane + i] += alpha * (green - data[plane + i]);
                data[(2 * plane) + i] += alpha * (blue - data[(2 * plane) + i]);
            }
        }
    }
}
