import { EmailToLead } from '../../nodes/EmailToLead/EmailToLead.node';

// n8n 2.x (packages/cli/src/load-nodes-and-credentials.ts, injectCustomApiCallOptions) appends
// "Custom API Call" to every top-level 'resource'/'operation' property that has options, for a node
// whose credentials extend oAuth2Api (microsoftGraphOAuth2Api does). E-mail to Lead must offer none.
describe('E-mail to Lead description', () => {
	it('has no resource/operation list n8n would add "Custom API Call" to, and keeps operation "import"', () => {
		const { properties } = new EmailToLead().description;
		const lists = properties.filter((p) => ['resource', 'operation'].includes(p.name) && Array.isArray(p.options));
		expect(lists).toEqual([]);
		const operation = properties.find((p) => p.name === 'operation');
		expect(operation).toMatchObject({ type: 'hidden', default: 'import' });
	});
});
