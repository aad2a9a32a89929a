<?php
use PHPUnit\Framework\TestCase;

final class ConnectTest extends TestCase {
	protected function setUp(): void {
		pe_test_reset();
		update_option( 'woocommerce_pagoefectivo_settings', array( 'bridge_url' => 'https://bridge.example.pe/', 'store_id' => '7d1f0c9e-3b2a-4c5d-8e6f-0a1b2c3d4e5f', 'shared_secret' => 'sekret' ) );
	}

	private function open_bridge_admin() {
		try {
			PE_Connect::open_bridge_admin();
		} catch ( PE_Test_Stop $stop ) {
			return $stop;
		}
		$this->fail( 'expected a redirect' );
	}

	public function test_a_shop_manager_is_sent_to_a_freshly_signed_bridge_login_link() {
		$GLOBALS['pe_test']['caps'] = array( 'manage_woocommerce' );
		$_REQUEST['_wpnonce']       = 'nonce-' . PE_Connect::ACTION_ADMIN;
		$before                     = time();
		$url                        = $this->open_bridge_admin()->location;

		$this->assertStringStartsWith( 'https://bridge.example.pe/admin/v1/login?store=7d1f0c9e-3b2a-4c5d-8e6f-0a1b2c3d4e5f&ts=', $url );
		$this->assertSame( 1, preg_match( '#^https://bridge\.example\.pe(/admin/v1/login\?store=[^&]+&ts=(\d+)&nonce=([0-9a-f]{32}))&sig=([0-9a-f]{64})$#', $url, $m ) );
		$this->assertGreaterThanOrEqual( $before, (int) $m[2] );
		// The bridge verifies exactly this: GET, the path with its query, an empty body.
		$this->assertTrue( PE_Signer::verify( 'sekret', $m[2], 'GET', $m[1], '', $m[4] ) );
		$this->assertNotSame( $url, $this->open_bridge_admin()->location, 'each click signs a new one-time link' );
	}

	public function test_refused_without_the_capability_or_the_nonce() {
		$_REQUEST['_wpnonce'] = 'nonce-' . PE_Connect::ACTION_ADMIN;
		$this->assertSame( 403, $this->open_bridge_admin()->getCode() );

		$GLOBALS['pe_test']['caps'] = array( 'manage_woocommerce' );
		$_REQUEST['_wpnonce']       = 'nonce-other';
		$this->assertSame( 403, $this->open_bridge_admin()->getCode() );
	}

	public function test_a_store_not_connected_goes_back_to_the_settings() {
		$GLOBALS['pe_test']['caps'] = array( 'manage_woocommerce' );
		$_REQUEST['_wpnonce']       = 'nonce-' . PE_Connect::ACTION_ADMIN;
		update_option( 'woocommerce_pagoefectivo_settings', array( 'bridge_url' => 'https://bridge.example.pe' ) );
		$stop = $this->open_bridge_admin();
		$this->assertStringContainsString( 'section=pagoefectivo', $stop->location );
		$this->assertStringContainsString( 'pe_error=not_connected', $stop->location );
	}
}
