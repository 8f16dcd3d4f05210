/** Dotted-path access into plain objects (`billingAddress.street`). */
export function getPath(source: object, path: string): unknown {
	let current: unknown = source;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
	const keys = path.split('.');
	let current = target;
	for (const key of keys.slice(0, -1)) {
		const next = current[key];
		if (next === null || typeof next !== 'object' || Array.isArray(next)) current[key] = {};
		current = current[key] as Record<string, unknown>;
	}
	current[keys[keys.length - 1]] = value;
}

/** Top-level field of a dotted path (`billingAddress.street` → `billingAddress`). */
export function topLevel(path: string): string {
	return path.split('.')[0];
}
