using System.Text;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Smt;

/// <summary>
/// Prints scripts and terms as SMT-LIB 2.6 text. The output is a pure function of the script:
/// the same script always gives byte-identical text (golden-tested), one declaration or assertion
/// per line, LF line endings, no trailing spaces.
/// </summary>
public static class SmtLibPrinter
{
    /// <summary>The whole script, ending with <c>(check-sat)</c> (or one per case, each inside push/pop).</summary>
    public static string Print(SmtScript script)
    {
        var sb = new StringBuilder();
        foreach (var c in script.Comments)
        {
            sb.Append(c.Length == 0 ? ";" : "; " + c).Append('\n');
        }

        if (script.Comments.Length > 0)
        {
            sb.Append('\n');
        }

        foreach (var s in script.Sorts)
        {
            sb.Append(s.Kind == SortKind.Enumeration
                ? $"(declare-datatypes (({s.Name} 0)) (({string.Join(" ", s.Elements.Select(e => "(" + e + ")"))})))"
                : $"(declare-sort {s.Name} 0)").Append('\n');
        }

        foreach (var f in script.Functions)
        {
            sb.Append($"(declare-fun {f.Name} ({string.Join(" ", f.Domain.Select(d => d.Name))}) {f.Range.Name})\n");
        }

        foreach (var d in script.Definitions)
        {
            var parameters = string.Join(" ", d.Parameters.Select(p => $"({p.Name} {p.Sort.Name})"));
            sb.Append($"(define-fun {d.Symbol.Name} ({parameters}) {d.Symbol.Range.Name} ");
            Write(sb, d.Body);
            sb.Append(")\n");
        }

        foreach (var a in script.Assertions)
        {
            if (a.Comment is not null)
            {
                sb.Append("; ").Append(a.Comment).Append('\n');
            }

            sb.Append("(assert ");
            Write(sb, a.Formula);
            sb.Append(")\n");
        }

        if (script.Cases.IsEmpty)
        {
            sb.Append("(check-sat)\n");
        }

        foreach (var c in script.Cases)
        {
            if (c.Comment is not null)
            {
                sb.Append("; ").Append(c.Comment).Append('\n');
            }

            sb.Append("(push 1)\n");
            foreach (var a in c.Assertions)
            {
                sb.Append("(assert ");
                Write(sb, a);
                sb.Append(")\n");
            }

            sb.Append("(check-sat)\n(pop 1)\n");
        }

        return sb.ToString();
    }

    /// <summary>One term, e.g. <c>(= (E o) (E p))</c>.</summary>
    public static string Print(Term term)
    {
        var sb = new StringBuilder();
        Write(sb, term);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Term term)
    {
        switch (term)
        {
            case Term.Constant c:
                sb.Append(c.Name);
                break;
            case Term.Apply a:
                List(sb, a.Function.Name, a.Args);
                break;
            case Term.BoolLiteral b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case Term.Not n:
                List(sb, "not", [n.Operand]);
                break;
            case Term.And and:
                if (and.Operands.Length == 0)
                {
                    sb.Append("true");
                }
                else
                {
                    List(sb, "and", and.Operands);
                }

                break;
            case Term.Or or:
                if (or.Operands.Length == 0)
                {
                    sb.Append("false");
                }
                else
                {
                    List(sb, "or", or.Operands);
                }

                break;
            case Term.Implies i:
                List(sb, "=>", [i.Premise, i.Conclusion]);
                break;
            case Term.Equal e:
                List(sb, "=", [e.Left, e.Right]);
                break;
            case Term.Distinct d:
                if (d.Operands.Length < 2)
                {
                    sb.Append("true");
                }
                else
                {
                    List(sb, "distinct", d.Operands);
                }

                break;
            case Term.Ite ite:
                List(sb, "ite", [ite.Condition, ite.Then, ite.Else]);
                break;
            case Term.RealLiteral r:
                sb.Append(r.Text);
                break;
            case Term.Arithmetic a:
                List(sb, a.Operator, a.Operands);
                break;
            case Term.Comparison c:
                List(sb, c.Operator, [c.Left, c.Right]);
                break;
            case Term.Quantifier q:
                sb.Append(q.Universal ? "(forall (" : "(exists (");
                sb.AppendJoin(' ', q.Variables.Select(v => $"({v.Name} {v.Sort.Name})"));
                sb.Append(") ");
                Write(sb, q.Body);
                sb.Append(')');
                break;
            default:
                throw new ArgumentException($"unknown term {term.GetType().Name}", nameof(term));
        }
    }

    private static void List(StringBuilder sb, string head, IEnumerable<Term> args)
    {
        sb.Append('(').Append(head);
        foreach (var a in args)
        {
            sb.Append(' ');
            Write(sb, a);
        }

        sb.Append(')');
    }
}
