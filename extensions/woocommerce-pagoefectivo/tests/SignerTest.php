<?php
use PHPUnit\Framework\TestCase;

final class SignerTest extends TestCase {
	public function test_php_verifies_every_typescript_signed_fixture() {
		$cases = json_decode( file_get_contents( __DIR__ . '/fixtures/signed-requests.from-ts.json' ), true );
		$this->assertNotEmpty( $cases );
		foreach ( $cases as $c ) {
			$this->assertTrue(
				PE_Signer::verify( $c['secret'], $c['headers']['X-PE-Timestamp'], $c['method'], $c['path'], $c['body'], $c['headers']['X-PE-Signature'] ),
				'TS fixture not verified: ' . $c['method'] . ' ' . $c['path']
			);
			$this->assertSame( $c['headers'], PE_Signer::headers( $c['store_id'], $c['secret'], $c['method'], $c['path'], $c['body'], $c['timestamp'], $c['nonce'] ) );
		}
	}

	public function test_a_changed_byte_fails() {
		$sig = PE_Signer::signature( 's3cret', 1742053618, 'POST', '/plugin/v1/vouchers', '{"a":1}' );
		$this->assertTrue( PE_Signer::verify( 's3cret', 1742053618, 'post', '/plugin/v1/vouchers', '{"a":1}', $sig ) );
		$this->assertFalse( PE_Signer::verify( 's3cret', 1742053618, 'POST', '/plugin/v1/vouchers', '{"a":2}', $sig ) );
		$this->assertFalse( PE_Signer::verify( 's3cret', 1742053619, 'POST', '/plugin/v1/vouchers', '{"a":1}', $sig ) );
	}
}
