// ESLint 9 flat config in the shape @n8n/node-cli generates (its dist/configs/eslint.js: @eslint/js and
// typescript-eslint recommended, @n8n/eslint-plugin-community-nodes recommended, eslint-plugin-n8n-nodes-base),
// without eslint-plugin-import-x (tsc already resolves every import) and without type information (no rule
// here needs it), so `npm run lint` stays fast. Why a rule is off: README "Lint".
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const communityNodes = n8nCommunityNodesPlugin.configs.recommended;

/** Rules for n8n Cloud's verified channel; this package is for self-hosted n8n's community packages. */
const selfHostedStack = {
	// The Graph SDK, ews-javascript-api, mailparser, html-to-text and node:* modules are the chosen stack.
	'@n8n/community-nodes/no-restricted-imports': 'off',
	// Timers, process and __dirname are Node's; Cloud's sandbox restricts them, self-hosted n8n does not.
	'@n8n/community-nodes/no-restricted-globals': 'off',
	// The runtime dependencies above ship with the package (self-hosted n8n installs them).
	'@n8n/community-nodes/no-runtime-dependencies': 'off',
};

export default tseslint.config(
	globalIgnores(['dist', 'node_modules', '.tmp', 'coverage', 'demo-data']),
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: {
			'prefer-spread': 'off',
			// `const { dropped: _dropped, ...rest } = x` drops a field on purpose.
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
			],
		},
	},
	{
		// What the package ships: n8n's community-node rules apply.
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'lib/**/*.ts'],
		extends: [communityNodes],
		rules: { 'no-console': 'error', ...selfHostedStack },
	},
	{
		// lib/ never imports n8n (DESIGN.md): it throws its own errors (ExchangeError, CrmError, MappingError),
		// which the nodes turn into NodeApiError / NodeOperationError at the boundary.
		files: ['lib/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
	},
	{
		files: ['package.json'],
		extends: [communityNodes],
		rules: { ...n8nNodesBase.configs.community.rules, ...selfHostedStack },
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These want the literal 'main'; node-connection-type-literal wants NodeConnectionTypes.Main.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
			// Continue On Fail is honoured in each router / operation's per-item catch, not in execute().
			'n8n-nodes-base/node-execute-block-missing-continue-on-fail': 'off',
			// The descriptions follow the Outlook v2 layout (descriptions/*.description.ts per concern).
			'n8n-nodes-base/node-resource-description-filename-against-convention': 'off',
			// Field-pair settings are in the order a user fills them in, not alphabetical.
			'n8n-nodes-base/node-param-fixed-collection-type-unsorted-items': 'off',
		},
	},
);
