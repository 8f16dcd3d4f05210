import type { INodeProperties } from 'n8n-workflow';

import * as toCanonical from './toCanonical.operation';
import * as toCrm from './toCrm.operation';

export { toCanonical, toCrm };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'CRM → Canonical',
				value: 'toCanonical',
				description: 'Turn CRM records into canonical records (towards Exchange and the sync engine)',
				action: 'Map CRM records to canonical records',
			},
			{
				name: 'Canonical → CRM',
				value: 'toCrm',
				description: 'Turn canonical records into CRM fields (towards the CRM)',
				action: 'Map canonical records to CRM fields',
			},
		],
		default: 'toCanonical',
	},
	...toCanonical.description,
	...toCrm.description,
];
