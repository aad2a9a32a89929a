<?php
/**
 * Prints the PHP-signed request fixtures as JSON (deterministic: fixed timestamps and nonces).
 * apps/woocommerce/test/fixtures/signed-requests.json is this script's output; a Jest test
 * re-runs it and checks both that the file is current and that the TypeScript verifier accepts
 * every request.
 *   php tools/make-signed-fixtures.php > ../../apps/woocommerce/test/fixtures/signed-requests.json
 */

define( 'ABSPATH', __DIR__ . '/' );
require __DIR__ . '/../includes/class-pe-signer.php';

$secret = 'a3f1c9e27b5d4086f1e2d3c4b5a69788a3f1c9e27b5d4086f1e2d3c4b5a69788';
$store  = 'wc_7f3a9c2e1b4d6a8c0e2f4a6b';
$cases  = array(
	array( 'POST', '/plugin/v1/vouchers', json_encode( array( 'order_id' => 4821, 'attempt' => 1, 'order_number' => '4821', 'amount' => '100.30', 'currency' => 'PEN', 'email' => 'mariajose.quispe@example.pe', 'first_name' => 'María José', 'last_name' => 'Quispe Huamán' ) ), 1742053618, 'nonce0001a2b3c4d5e6f7' ),
	array( 'POST', '/plugin/v1/vouchers', json_encode( array( 'order_id' => 4821, 'attempt' => 2, 'order_number' => '4821', 'amount' => '100.30', 'currency' => 'PEN', 'email' => 'mariajose.quispe@example.pe', 'first_name' => 'María José' ), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ), 1742053619, 'nonce0002a2b3c4d5e6f7' ),
	array( 'POST', '/plugin/v1/refunds', json_encode( array( 'order_id' => 4821, 'wc_refund_id' => 4833, 'amount' => '18.50', 'currency' => 'PEN', 'reason' => "Producto agotado: Chocolate 70% cacao de Piura\nlínea 2 / \"citado\"" ) ), 1742202344, 'nonce0003a2b3c4d5e6f7' ),
	array( 'GET', '/plugin/v1/vouchers/4821', '', 1742053700, 'nonce0004a2b3c4d5e6f7' ),
);

$out = array();
foreach ( $cases as $c ) {
	list( $method, $path, $body, $ts, $nonce ) = $c;
	$out[] = array(
		'store_id'  => $store,
		'secret'    => $secret,
		'method'    => $method,
		'path'      => $path,
		'body'      => $body,
		'timestamp' => $ts,
		'nonce'     => $nonce,
		'headers'   => PE_Signer::headers( $store, $secret, $method, $path, $body, $ts, $nonce ),
	);
}
echo json_encode( $out, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ), "\n";
