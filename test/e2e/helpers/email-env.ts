/**
 * The world of the e-mail import end-to-end test: the sync environment (sandbox, seeded CRM file, real
 * n8n, anna's credentials) plus a second Graph credential and client for ben, mail delivery into a
 * mailbox (the sandbox store, as a mail server would), and the e-mail template imported per user.
 */
import type { GraphExchangeClient } from '../../../lib/exchange';
import type { N8nWorkflow } from '../harness';
import {
	ANNA,
	loadTemplate,
	prepareTemplate,
	sandboxGraphClient,
	sandboxGraphCredential,
	startSyncEnv,
	type SyncEnv,
	type TemplateOverrides,
} from './sync-env';

export { ANNA };
export const BEN = 'ben@contoso.example';
const BEN_GRAPH_CREDENTIAL_ID = 'e2eGraphCredBen1';

export type User = typeof ANNA | typeof BEN;

export interface EmailEnv extends SyncEnv {
	/** Graph clients acting as the mailbox owner would in Outlook. */
	mailboxes: Record<User, GraphExchangeClient>;
	/** A message arrives in the Inbox or Sent Items (stored from raw MIME); returns its id. */
	deliver(user: User, folder: 'inbox' | 'sentitems', mime: Buffer): Promise<string>;
	/** Imports workflows/email-import.json with this user's Graph credential; returns its id. */
	importEmailTemplate(user: User, id: string, overrides?: TemplateOverrides): Promise<string>;
}

function graphClient(env: SyncEnv, mailbox: string): GraphExchangeClient {
	return sandboxGraphClient(env.sb, mailbox);
}

/** The template for one user: ben's nodes get ben's Graph credential (sync-env wires anna's). */
function emailTemplateFor(user: User, id: string, overrides?: TemplateOverrides): N8nWorkflow {
	const workflow = prepareTemplate(loadTemplate('email-import.json'), id, overrides);
	if (user === ANNA) return workflow;
	const nodes = (workflow.nodes as Array<Record<string, unknown>>).map((node) => {
		const credentials = node.credentials as Record<string, unknown> | undefined;
		if (!credentials?.microsoftGraphOAuth2Api) return node;
		return { ...node, credentials: { ...credentials, microsoftGraphOAuth2Api: { id: BEN_GRAPH_CREDENTIAL_ID, name: 'Graph ben (e2e)' } } };
	});
	return { ...workflow, name: `${workflow.name} (ben)`, nodes };
}

export async function startEmailEnv(): Promise<EmailEnv> {
	const env = await startSyncEnv();
	const { sb } = env;
	const ben = graphClient(env, BEN);
	try {
		await env.n8n.importCredentials([sandboxGraphCredential(sb, BEN, BEN_GRAPH_CREDENTIAL_ID, 'Graph ben (e2e)')]);
	} catch (error) {
		ben.close();
		await env.close();
		throw error;
	}
	return {
		...env,
		mailboxes: { [ANNA]: env.exchange, [BEN]: ben },
		async deliver(user, folder, mime) {
			const mailbox = sb.sandbox.store.mailbox(user);
			const target = mailbox.wellKnownFolder(folder);
			if (!target) throw new Error(`${user} has no ${folder} folder`);
			return (await mailbox.createMessage(target.id, mime, { receivedAt: new Date().toISOString() })).id;
		},
		async importEmailTemplate(user, id, overrides) {
			await env.n8n.importWorkflows([emailTemplateFor(user, id, overrides)]);
			return id;
		},
		async close() {
			ben.close();
			await env.close();
		},
	};
}
