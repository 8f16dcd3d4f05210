/** "a, b\nc" → ['a', 'b', 'c'] */
export function splitList(value: string | undefined): string[] {
	return (value ?? '')
		.split(/[,;\n]/)
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}
