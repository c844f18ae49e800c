// POST /v1/quotes/matrix: the price of every option of some inputs in one request — what a
// generation UI shows beside each model, size or toggle.
import { Router } from 'express';
import { RuleError } from '../../../grammar/diagnostic.ts';
import { didYouMean } from '../../suggest.ts';
import { requireAccount, requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { HttpProblem } from '../problem.ts';
import { body } from '../validate.ts';

interface MatrixBody { pack: string; operation: string; input: Record<string, unknown>; vary: string[]; account?: string }

/** Most quotes one matrix may ask for: the product of the varied inputs' option counts. */
export const MAX_MATRIX_CELLS = 256;

type Option = string | number | boolean;

function refuse(path: string, message: string): HttpProblem {
  return new HttpProblem(422, 'invalid_request', message, { errors: [{ path, keyword: 'vary', message }] });
}

/** The options of each varied input, from the operation's input schema: an enum's values, or false and true. */
function optionsOf(schema: { properties?: Record<string, { type?: string; enum?: Option[] }> }, vary: string[]): Option[][] {
  const props = schema.properties ?? {};
  const variable = Object.entries(props).filter(([, p]) => p.enum || p.type === 'boolean').map(([n]) => n);
  return vary.map((name, i) => {
    const s = props[name];
    if (!s) throw refuse(`/vary/${i}`, `vary[${i}]: the operation has no input '${name}'${hint(didYouMean(name, Object.keys(props)))}; it can vary ${variable.join(', ') || 'none of its inputs'}`);
    if (s.enum) return s.enum;
    if (s.type === 'boolean') return [false, true];
    throw refuse(`/vary/${i}`, `vary[${i}]: input '${name}' is neither an enum nor a boolean, so it has no list of options to price; it can vary ${variable.join(', ') || 'none of its inputs'}`);
  });
}

const hint = (h: string | undefined) => (h ? ` (${h})` : '');

function combinations(names: string[], options: Option[][]): Record<string, Option>[] {
  let rows: Record<string, Option>[] = [{}];
  names.forEach((name, i) => {
    rows = rows.flatMap((row) => options[i]!.map((o) => ({ ...row, [name]: o })));
  });
  return rows;
}

export function matrixRoutes({ ledger, engine }: AppContext): Router {
  const r = Router();
  r.post('/v1/quotes/matrix', async (req, res) => {
    const m = body<MatrixBody>(req, 'MatrixRequest');
    if (m.account !== undefined) requireAccount(req, m.account, 'quote');
    else requireScope(req, 'quote');
    const options = optionsOf(engine.inputSchema(m.pack, m.operation) as Parameters<typeof optionsOf>[0], m.vary);
    const count = options.reduce((n, o) => n * o.length, 1);
    if (count > MAX_MATRIX_CELLS) {
      throw refuse('/vary', `vary: ${m.vary.map((v, i) => `${v} has ${options[i]!.length} options`).join(', ')}: ${count} quotes, more than the ${MAX_MATRIX_CELLS} one matrix may ask for; vary fewer inputs`);
    }
    const rows = [];
    let version: string | undefined;
    let firstError: RuleError | undefined;
    for (const values of combinations(m.vary, options)) {
      const q = { pack: m.pack, operation: m.operation, input: { ...m.input, ...values }, account: m.account };
      try {
        const quote = q.account !== undefined ? await ledger.quote(q) : ledger.quoteWithoutAccount(q);
        version ??= quote.version;
        rows.push({ values, outputs: quote.outputs, amount: quote.amount, rejections: quote.rejections });
      } catch (e) {
        // One option the rules can't price (a model missing from a table) is that row's answer.
        if (!(e instanceof RuleError) || e.code === 'unknown-pack' || e.code === 'unknown-operation') throw e;
        firstError ??= e;
        rows.push({ values, error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
      }
    }
    // Every row refused: the request itself is wrong (an input the base refuses), as /v1/quotes would say.
    if (version === undefined && firstError) throw firstError;
    res.json({ pack: m.pack, operation: m.operation, version, account: m.account ?? null, vary: m.vary, options: Object.fromEntries(m.vary.map((v, i) => [v, options[i]])), rows });
  });
  return r;
}
