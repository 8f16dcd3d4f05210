// @n8n/node-cli's .prettierrc.js (its template shared/default), with the print width the code has:
// lines run up to ~160 columns (98% of them are shorter than 150), n8n's default of 100 would rewrap
// most files.
module.exports = {
	semi: true,
	trailingComma: 'all',
	bracketSpacing: true,
	useTabs: true,
	tabWidth: 2,
	arrowParens: 'always',
	singleQuote: true,
	quoteProps: 'as-needed',
	endOfLine: 'lf',
	printWidth: 160,
};
