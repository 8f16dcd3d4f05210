/** A record that cannot be mapped (S12: the caller turns it into a sync conflict entry). */
export class MappingError extends Error {
	constructor(
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'MappingError';
	}
}
