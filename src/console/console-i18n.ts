import type { Lang } from '../i18n/locale.ts';

/** The console's words in English; pt-BR says the same things. */
const en = {
  console: 'Purse console', skip: 'Skip to content', overview: 'Overview', tenants: 'Tenants', events: 'Deliveries', inbox: 'Inbox errors', audit: 'Audit log', operators: 'Operators',
  logout: 'Log out', login: 'Log in', email: 'Email', password: 'Password', loginFailed: 'Email or password is wrong.', locked: 'Too many failed logins: this account is locked for 15 minutes.',
  setPassword: 'Set your password', passwordHint: 'At least 12 characters.', save: 'Save', linkInvalid: 'This link is invalid or has expired.',
  csrf: 'This form expired or did not come from this console. Reload the page and try again.', forbidden: 'Your role may not do this.', sessionEnded: 'Log in to continue.',
  owed: 'Money owed to customers', topups: 'Top-ups', spend: 'Spend', autoTopups: 'Auto top-ups', perDay: 'per day, last 30 days', day: 'Day', amount: 'Amount', count: 'Count',
  paused: 'Paused or failed auto top-ups', backlog: 'Webhook backlog', failingEndpoints: 'Failing endpoints', inboxErrors: 'Inbox errors', currency: 'Currency',
  search: 'Search by name or id', filter: 'Filter', all: 'All', lowBalance: 'Low balance', pausedFilter: 'Auto top-up paused', next: 'Next page', name: 'Name', balance: 'Balance',
  available: 'Available', held: 'Reserved', status: 'Status', history: 'History', when: 'When', kind: 'Kind', description: 'Description', after: 'Balance after', noRows: 'Nothing here.',
  autoTopup: 'Auto top-up', state: 'State', resume: 'Resume auto top-up', keys: 'API keys', endpoints: 'Webhook endpoints', deliveries: 'Deliveries', replay: 'Replay', portal: 'Portal link',
  issuePortal: 'Issue a portal link', portalIssued: 'Portal link (valid one hour):', adjust: 'Adjust the wallet', reason: 'Reason', review: 'Review', confirm: 'Confirm adjustment',
  confirmText: (amount: string, words: string, result: string) => `Adjust by ${amount} (${words}). The balance will be ${result}.`, cancel: 'Cancel', adjusted: 'Adjustment recorded.',
  amountInvalid: 'Enter an amount such as 10.50 or -5.', retry: 'Retry', retried: 'Retried.', replayed: 'Queued for redelivery.', reconcile: 'Reconcile with Stripe', reconciled: (s: number, r: number) => `Scanned ${s}, recovered ${r}.`,
  actor: 'Actor', role: 'Role', action: 'Action', target: 'Target', before: 'Before', afterCol: 'After', create: 'Create operator', disable: 'Disable', resetPassword: 'Reset password',
  linkFor: (email: string) => `One-time set-password link for ${email} (valid 24 h):`, event: 'Event', attempts: 'Attempts', lastError: 'Last error', holds: 'Open holds', csv: 'Download CSV',
  orders: 'Orders', refunds: 'Refunds', disputes: 'Disputes', creditBlocks: 'Credit blocks', receipts: 'Receipts', download: 'Download PDF', number: 'Number',
  from: 'From', to: 'To', total: 'Total', tax: 'Tax', remaining: 'Remaining', expires: 'Expires', category: 'Category', refunded: 'Refunded', clawedBack: 'Taken back',
  resumed: 'Auto top-up resumed.', notPaused: 'Auto top-up is not paused.', noCard: 'The tenant has no saved card: auto top-up cannot resume.', endpointDeliveries: (url: string) => `Deliveries to ${url}`,
  allKinds: 'All kinds', allNumbers: 'All numbers', filterInvalid: 'A filter is not valid: dates are YYYY-MM-DD.',
};
export type ConsoleText = typeof en;

const ptBR: ConsoleText = {
  console: 'Console Purse', skip: 'Ir para o conteúdo', overview: 'Visão geral', tenants: 'Clientes', events: 'Entregas', inbox: 'Erros de entrada', audit: 'Auditoria', operators: 'Operadores',
  logout: 'Sair', login: 'Entrar', email: 'E-mail', password: 'Senha', loginFailed: 'E-mail ou senha incorretos.', locked: 'Muitas tentativas: esta conta está bloqueada por 15 minutos.',
  setPassword: 'Defina sua senha', passwordHint: 'Pelo menos 12 caracteres.', save: 'Salvar', linkInvalid: 'Este link é inválido ou expirou.',
  csrf: 'Este formulário expirou ou não veio deste console. Recarregue a página e tente de novo.', forbidden: 'Seu papel não permite esta ação.', sessionEnded: 'Entre para continuar.',
  owed: 'Saldo devido aos clientes', topups: 'Recargas', spend: 'Consumo', autoTopups: 'Recargas automáticas', perDay: 'por dia, últimos 30 dias', day: 'Dia', amount: 'Valor', count: 'Quantidade',
  paused: 'Recargas automáticas pausadas ou com falha', backlog: 'Fila de webhooks', failingEndpoints: 'Endpoints com falha', inboxErrors: 'Erros de entrada', currency: 'Moeda',
  search: 'Buscar por nome ou id', filter: 'Filtro', all: 'Todos', lowBalance: 'Saldo baixo', pausedFilter: 'Recarga automática pausada', next: 'Próxima página', name: 'Nome', balance: 'Saldo',
  available: 'Disponível', held: 'Reservado', status: 'Situação', history: 'Histórico', when: 'Quando', kind: 'Tipo', description: 'Descrição', after: 'Saldo após', noRows: 'Nada aqui.',
  autoTopup: 'Recarga automática', state: 'Estado', resume: 'Retomar recarga automática', keys: 'Chaves de API', endpoints: 'Endpoints de webhook', deliveries: 'Entregas', replay: 'Reenviar', portal: 'Link do portal',
  issuePortal: 'Gerar link do portal', portalIssued: 'Link do portal (válido por uma hora):', adjust: 'Ajustar a carteira', reason: 'Motivo', review: 'Revisar', confirm: 'Confirmar ajuste',
  confirmText: (amount: string, words: string, result: string) => `Ajustar em ${amount} (${words}). O saldo ficará em ${result}.`, cancel: 'Cancelar', adjusted: 'Ajuste registrado.',
  amountInvalid: 'Informe um valor como 10,50 ou -5.', retry: 'Tentar de novo', retried: 'Reprocessado.', replayed: 'Na fila para reenvio.', reconcile: 'Conciliar com a Stripe', reconciled: (s: number, r: number) => `Verificados ${s}, recuperados ${r}.`,
  actor: 'Autor', role: 'Papel', action: 'Ação', target: 'Alvo', before: 'Antes', afterCol: 'Depois', create: 'Criar operador', disable: 'Desativar', resetPassword: 'Redefinir senha',
  linkFor: (email: string) => `Link único para definir a senha de ${email} (válido por 24 h):`, event: 'Evento', attempts: 'Tentativas', lastError: 'Último erro', holds: 'Reservas abertas', csv: 'Baixar CSV',
  orders: 'Pedidos', refunds: 'Reembolsos', disputes: 'Contestações', creditBlocks: 'Blocos de crédito', receipts: 'Recibos', download: 'Baixar PDF', number: 'Número',
  from: 'De', to: 'Até', total: 'Total', tax: 'Imposto', remaining: 'Restante', expires: 'Expira', category: 'Categoria', refunded: 'Reembolsado', clawedBack: 'Retirado',
  resumed: 'Recarga automática retomada.', notPaused: 'A recarga automática não está pausada.', noCard: 'O cliente não tem cartão salvo: a recarga automática não pode ser retomada.', endpointDeliveries: (url: string) => `Entregas para ${url}`,
  allKinds: 'Todos os tipos', allNumbers: 'Todos os números', filterInvalid: 'Um filtro não é válido: datas são AAAA-MM-DD.',
};

export function consoleText(lang: Lang): ConsoleText {
  return lang === 'pt-BR' ? ptBR : en;
}
