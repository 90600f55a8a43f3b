using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>Gradient-norm clipping (torch.nn.utils.clip_grad_norm_).</summary>
public static class GradClip
{
    /// <summary>
    /// Scales all gradients in place so that their joint L2 norm is at most <paramref name="maxNorm"/>;
    /// returns the norm before clipping. Parameters without gradients are ignored.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0)
        {
            return 0;
        }
        var norms = grads.Select(g => g.To(DType.Float64).Square().Sum()).ToArray();
        var total = Math.Sqrt(Tensor.Stack(norms).Sum().Item());
        var coef = maxNorm / (total + 1e-6);
        if (coef < 1)
        {
            foreach (var g in grads)
            {
                g.Mul_(coef);
            }
        }
        return total;
    }
}
