// The reference rule written three more ways, for the engine benchmark:
// by hand in TypeScript with floats, and as JSON Logic for json-logic-js and
// json-logic-engine. All four must compute the same rule.

export interface ReferenceInput {
  model: string;
  width: number;
  height: number;
  batch: number;
  steps: number;
  hires: boolean;
  face_fix: boolean;
  priority: boolean;
  member: boolean;
}

/** Must match bench/reference/generate.yaml. */
export const BASE: Record<string, number> = {
  m0: 600, m1: 750, m2: 900, m3: 1000, m4: 1150, m5: 1250, m6: 1400, m7: 1550, m8: 1800, m9: 2100,
};

export function handwritten(i: ReferenceInput): number {
  const base = BASE[i.model];
  if (base === undefined) throw new Error(`unknown model ${i.model}`);
  return Math.ceil(
    base * (i.width === i.height ? 1 : 0.8) * i.batch * (i.steps > 25 ? 1 + (i.steps - 25) * 0.02 : 1)
    + (i.hires ? 2000 : 0) + (i.face_fix ? 500 : 0),
  ) * (i.priority && !i.member ? 1.5 : 1);
}

const v = (name: string) => ({ var: name });

/** The table as a JSON Logic `if` chain on the model. */
const baseLookup = {
  if: Object.entries(BASE).flatMap(([model, credits]) => [{ '==': [{ var: 'model' }, model] }, credits]).concat([null as never]),
};

/** JSON Logic of the rule; needs a `ceil` operation. */
export const JSON_LOGIC_RULE = {
  '*': [
    {
      ceil: [{
        '+': [
          {
            '*': [
              baseLookup,
              { if: [{ '==': [v('width'), v('height')] }, 1, 0.8] },
              v('batch'),
              { if: [{ '>': [v('steps'), 25] }, { '+': [1, { '*': [{ '-': [v('steps'), 25] }, 0.02] }] }, 1] },
            ],
          },
          { if: [v('hires'), 2000, 0] },
          { if: [v('face_fix'), 500, 0] },
        ],
      }],
    },
    { if: [{ and: [v('priority'), { '!': v('member') }] }, 1.5, 1] },
  ],
};

/** 1,024 varied inputs from a fixed seed, so every run measures the same work. */
export function referenceInputs(n = 1024): ReferenceInput[] {
  let seed = 20261121;
  const next = (k: number): number => {
    // mulberry32: small, well-mixed, deterministic
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * k) | 0;
  };
  const sizes = [512, 640, 768, 832, 896, 1024, 1152, 1216, 1280, 1536];
  const inputs: ReferenceInput[] = [];
  for (let i = 0; i < n; i++) {
    const width = sizes[next(sizes.length)]!;
    inputs.push({
      model: `m${next(10)}`,
      width,
      height: next(3) === 0 ? width : sizes[next(sizes.length)]!,
      batch: 1 + next(4),
      steps: 10 + next(51),
      hires: next(2) === 0,
      face_fix: next(3) === 0,
      priority: next(2) === 0,
      member: next(3) === 0,
    });
  }
  return inputs;
}
