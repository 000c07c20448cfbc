using System.Collections.Immutable;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Smt;

/// <summary>Checks that a script declares every sort and symbol before use, and nothing twice.</summary>
internal static class ScopeCheck
{
    public static void Run(SmtScript script)
    {
        var sorts = new HashSet<string>(StringComparer.Ordinal) { "Bool", "Real" };
        var symbols = new HashSet<string>(StringComparer.Ordinal);
        void Fresh(string name, string what)
        {
            if (!symbols.Add(name))
            {
                throw new InvalidOperationException($"{what} '{name}' is declared twice");
            }
        }

        void SortKnown(Sort s)
        {
            if (!sorts.Contains(s.Name))
            {
                throw new InvalidOperationException($"sort '{s.Name}' is used before it is declared");
            }
        }

        foreach (var s in script.Sorts)
        {
            if (!sorts.Add(s.Name))
            {
                throw new InvalidOperationException($"sort '{s.Name}' is declared twice");
            }

            foreach (var e in s.Elements)
            {
                Fresh(e, "enumeration element");
            }
        }

        foreach (var f in script.Functions)
        {
            f.Domain.ToList().ForEach(SortKnown);
            SortKnown(f.Range);
            Fresh(f.Name, "function");
        }

        foreach (var d in script.Definitions)
        {
            Check(d.Body, [.. d.Parameters.Select(p => p.Name)]);
            Fresh(d.Symbol.Name, "definition");
        }

        foreach (var a in script.Assertions)
        {
            Check(a.Formula, []);
        }

        foreach (var v in script.Values.Concat(script.Cases.SelectMany(c => c.Assertions)))
        {
            Check(v, []);
        }

        void Check(Term t, ImmutableHashSet<string> bound)
        {
            SortKnown(t.Sort);
            switch (t)
            {
                case Term.Constant c when !bound.Contains(c.Name) && !symbols.Contains(c.Name):
                    throw new InvalidOperationException($"'{c.Name}' is used but not declared");
                case Term.Apply ap:
                    if (!symbols.Contains(ap.Function.Name))
                    {
                        throw new InvalidOperationException($"function '{ap.Function.Name}' is used but not declared");
                    }

                    foreach (var x in ap.Args)
                    {
                        Check(x, bound);
                    }

                    break;
                case Term.Not n:
                    Check(n.Operand, bound);
                    break;
                case Term.And and:
                    and.Operands.ToList().ForEach(x => Check(x, bound));
                    break;
                case Term.Or or:
                    or.Operands.ToList().ForEach(x => Check(x, bound));
                    break;
                case Term.Distinct d:
                    d.Operands.ToList().ForEach(x => Check(x, bound));
                    break;
                case Term.Implies i:
                    Check(i.Premise, bound);
                    Check(i.Conclusion, bound);
                    break;
                case Term.Equal e:
                    Check(e.Left, bound);
                    Check(e.Right, bound);
                    break;
                case Term.Arithmetic a:
                    a.Operands.ToList().ForEach(x => Check(x, bound));
                    break;
                case Term.Comparison c:
                    Check(c.Left, bound);
                    Check(c.Right, bound);
                    break;
                case Term.Ite ite:
                    Check(ite.Condition, bound);
                    Check(ite.Then, bound);
                    Check(ite.Else, bound);
                    break;
                case Term.Quantifier q:
                    q.Variables.ToList().ForEach(v => SortKnown(v.Sort));
                    Check(q.Body, bound.Union(q.Variables.Select(v => v.Name)));
                    break;
            }
        }
    }
}
