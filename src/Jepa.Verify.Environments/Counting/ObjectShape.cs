namespace Jepa.Verify.Environments.Counting;

/// <summary>The shape every object of one observation family is drawn with (all fit in a disk of radius 3).</summary>
public enum ObjectShape
{
    /// <summary>A filled disk of radius 3 (29 pixels).</summary>
    Circle,

    /// <summary>A filled 5×5 square (corners 2.83 from the centre).</summary>
    Square,

    /// <summary>A filled upward triangle, apex 3 above the centre, base 2 below (16 pixels).</summary>
    Triangle,

    /// <summary>A horizontal line 7 pixels long and 1 pixel thick.</summary>
    Line,
}
