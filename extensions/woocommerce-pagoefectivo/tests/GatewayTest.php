<?php
use PHPUnit\Framework\TestCase;

final class GatewayTest extends TestCase {
	protected function setUp(): void {
		pe_test_reset();
		update_option( 'woocommerce_pagoefectivo_settings', array( 'enabled' => 'yes', 'bridge_url' => 'https://bridge.example.pe/', 'store_id' => 'wc_store1', 'shared_secret' => 'sekret' ) );
		$GLOBALS['pe_test']['orders'][4821] = new WC_Order( 4821 );
	}

	public function test_declares_products_and_refunds() {
		$g = new WC_Gateway_PagoEfectivo();
		$this->assertSame( 'pagoefectivo', $g->id );
		$this->assertTrue( $g->supports( 'refunds' ) );
		$this->assertTrue( $g->supports( 'products' ) );
	}

	public function test_process_payment_stores_the_voucher_and_puts_the_order_on_hold() {
		pe_fake_response( 201, array( 'voucher_id' => 'v1', 'status' => 'pending', 'cip' => '2875319', 'cip_url' => 'https://pagos.example.pe/cip/2875319', 'voucher_url' => 'https://bridge.example.pe/v/tok', 'amount' => '100.30', 'currency' => 'PEN', 'expires_at' => '2025-03-15T15:22:35.000Z' ) );
		$result = ( new WC_Gateway_PagoEfectivo() )->process_payment( 4821 );

		$this->assertSame( 'success', $result['result'] );
		$this->assertStringContainsString( 'order-received/4821', $result['redirect'] );
		$order = wc_get_order( 4821 );
		$this->assertSame( 'on-hold', $order->status );
		$this->assertStringContainsString( '2875319', $order->status_note );
		$this->assertSame( '2875319', $order->get_meta( '_pagoefectivo_cip' ) );
		$this->assertSame( 'https://bridge.example.pe/v/tok', $order->get_meta( '_pagoefectivo_voucher_url' ) );
		$this->assertSame( '1', $order->get_meta( '_pagoefectivo_attempt' ) );

		$call = $GLOBALS['pe_test']['http'][0];
		$this->assertSame( 'https://bridge.example.pe/plugin/v1/vouchers', $call['url'] );
		$this->assertSame( 'POST', $call['args']['method'] );
		$h = $call['args']['headers'];
		$this->assertSame( 'wc_store1', $h['X-PE-Store'] );
		$this->assertTrue( PE_Signer::verify( 'sekret', $h['X-PE-Timestamp'], 'POST', '/plugin/v1/vouchers', $call['args']['body'], $h['X-PE-Signature'] ) );
		$body = json_decode( $call['args']['body'], true );
		$this->assertSame( array( 4821, 1, '100.30', 'PEN' ), array( $body['order_id'], $body['attempt'], $body['amount'], $body['currency'] ) );
		// A guest goes back to the order's thank-you page (its key lets them in).
		$this->assertSame( $result['redirect'], $body['return_url'] );
	}

	public function test_a_registered_customer_goes_back_to_my_account_order() {
		wc_get_order( 4821 )->customer_id = 12;
		pe_fake_response( 201, array( 'voucher_id' => 'v1', 'cip' => '2875319', 'expires_at' => '2025-03-15T15:22:35.000Z' ) );
		( new WC_Gateway_PagoEfectivo() )->process_payment( 4821 );
		$body = json_decode( $GLOBALS['pe_test']['http'][0]['args']['body'], true );
		$this->assertSame( 'https://tienda.example.pe/mi-cuenta/view-order/4821/', $body['return_url'] );
	}

	public function test_settings_link_to_the_bridge_admin_page_only_once_connected() {
		$html = ( new WC_Gateway_PagoEfectivo() )->generate_pagoefectivo_connect_html( 'connect', array( 'title' => 'Conexión' ) );
		$this->assertStringContainsString( 'Abrir la configuración en PagoEfectivo', $html );
		$this->assertStringContainsString( 'action=pagoefectivo_bridge_admin', $html );
		$this->assertStringContainsString( 'Volver a conectar', $html );

		update_option( 'woocommerce_pagoefectivo_settings', array( 'bridge_url' => 'https://bridge.example.pe' ) );
		$html = ( new WC_Gateway_PagoEfectivo() )->generate_pagoefectivo_connect_html( 'connect', array( 'title' => 'Conexión' ) );
		$this->assertStringNotContainsString( 'pagoefectivo_bridge_admin', $html );
		$this->assertStringContainsString( 'Conectar con PagoEfectivo', $html );
	}

	public function test_bridge_failure_leaves_the_order_untouched_with_a_spanish_message() {
		pe_fake_response( 503, array( 'code' => 'unavailable', 'shopper_message' => 'PagoEfectivo no está disponible. Inténtalo de nuevo.' ) );
		$result = ( new WC_Gateway_PagoEfectivo() )->process_payment( 4821 );

		$this->assertSame( 'failure', $result['result'] );
		$this->assertSame( 'PagoEfectivo no está disponible. Inténtalo de nuevo.', $result['message'] );
		$order = wc_get_order( 4821 );
		$this->assertSame( 'pending', $order->status );
		$this->assertSame( array(), $order->saved_meta );
		$this->assertSame( array( array( 'error', 'PagoEfectivo no está disponible. Inténtalo de nuevo.' ) ), $GLOBALS['pe_test']['notices'] );
	}

	public function test_network_failure_message_is_spanish() {
		$result = ( new WC_Gateway_PagoEfectivo() )->process_payment( 4821 );
		$this->assertSame( 'failure', $result['result'] );
		$this->assertStringContainsString( 'PagoEfectivo', $result['message'] );
		$this->assertSame( 'pending', wc_get_order( 4821 )->status );
	}

	public function test_process_refund_is_true_once_accepted() {
		$order          = wc_get_order( 4821 );
		$order->refunds = array( new WC_Order_Refund_Stub( 4833 ), new WC_Order_Refund_Stub( 4790 ) );
		pe_fake_response( 202, array( 'refund_id' => 'r1', 'status' => 'requested' ) );
		$this->assertTrue( ( new WC_Gateway_PagoEfectivo() )->process_refund( 4821, '18.50', 'Producto agotado' ) );
		$body = json_decode( $GLOBALS['pe_test']['http'][0]['args']['body'], true );
		$this->assertSame( 4833, $body['wc_refund_id'] );
		$this->assertSame( '18.50', $body['amount'] );
	}

	public function test_process_refund_returns_the_exact_reason() {
		wc_get_order( 4821 )->refunds = array( new WC_Order_Refund_Stub( 4833 ) );
		pe_fake_response( 409, array( 'code' => 'conflict', 'merchant_message' => 'El monto supera el saldo reembolsable.' ) );
		$result = ( new WC_Gateway_PagoEfectivo() )->process_refund( 4821, '500.00', '' );
		$this->assertInstanceOf( WP_Error::class, $result );
		$this->assertSame( 'El monto supera el saldo reembolsable.', $result->get_error_message() );
	}

	public function test_voucher_is_shown_to_the_customer_but_not_in_admin_emails() {
		$order             = wc_get_order( 4821 );
		$order->status     = 'on-hold';
		$order->saved_meta = array( '_pagoefectivo_cip' => '2875319', '_pagoefectivo_cip_expires_at' => '2025-03-15T10:22:35-05:00', '_pagoefectivo_voucher_url' => 'https://bridge.example.pe/v/t?a=1&b=<x>' );
		$email             = (object) array( 'id' => 'customer_on_hold_order' );

		ob_start();
		PE_Voucher_Display::email( $order, true, false, (object) array( 'id' => 'new_order' ) );
		$this->assertSame( '', ob_get_clean() );

		ob_start();
		PE_Voucher_Display::email( $order, false, false, $email );
		$html = ob_get_clean();
		$this->assertStringContainsString( '2875319', $html );
		$this->assertStringContainsString( '15/03/2025 10:22', $html );
		$this->assertStringNotContainsString( '<x>', $html );

		ob_start();
		PE_Voucher_Display::thankyou( 4821 );
		$this->assertStringContainsString( 'CIP', ob_get_clean() );
	}
}
