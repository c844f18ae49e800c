// Types of the generated validators.cjs: one ajv validate function per schema `$id`.
import type { ValidateFunction } from 'ajv';

declare const validators: Record<string, ValidateFunction | undefined>;
export = validators;
