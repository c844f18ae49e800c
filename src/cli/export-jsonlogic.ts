export function exportJsonLogicCommand(pack: string, operation: string, o: { at?: string }): void { void pack; void operation; void o; throw new Error('export-jsonlogic: not yet built'); }
